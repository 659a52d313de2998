import type { IncomingMessage, ServerResponse } from 'node:http';
import { photoSizes, type PhotoSize, PHOTO_PATH_PREFIX } from '~/lib/photos';
import { isUuid } from '~/lib/uuid';
import { photoKeys } from '../images/keys';
import { isServiceDown } from '../integrations/resilience';
import type { Services } from '../services';
import { requestContextOf } from './file-route';
import { sendJson } from './respond';

const FILE_OF: Record<PhotoSize, keyof ReturnType<typeof photoKeys>> = { thumb: 'thumb', large: 'large', original: 'original' };

/**
 * `GET /api/images/products/<productId>/<photoId>/<thumb|large|original>`: a product photo of the caller's org,
 * from storage. Signed in (session cookie or bearer token), the org taken from the caller: another org's photo is
 * a 404 like a missing one. Photos are immutable under their id, so the answer is cacheable for a year by the
 * browser only (`private`), with a strong ETag; a revoked session gets 401 on its next request (the browser keeps
 * what it has already seen, as it would a page). Not rate-limited: a catalogue page shows fifty thumbnails.
 */
export function createImagesRoute(services: Services, opts: { isSecure: (req: IncomingMessage) => boolean; trustProxy: boolean }) {
  return async function serveImage(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const requestId = res.getHeader('x-request-id') as string;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendJson(res, 405, { error: `Method ${req.method} not allowed`, requestId });
    }
    const [productId, photoId, size, ...rest] = path.slice(PHOTO_PATH_PREFIX.length).split('/');
    if (!isUuid(productId) || !isUuid(photoId) || !photoSizes.includes(size as PhotoSize) || rest.length > 0) {
      return sendJson(res, 404, { error: 'Not found', requestId });
    }
    const ctx = await requestContextOf(services, req, res, { secure: opts.isSecure(req), trustProxy: opts.trustProxy });
    if (!ctx.principal) return sendJson(res, 401, { error: ctx.credentialError ?? 'Sign in to continue (session missing or expired)', reason: 'signed_out', requestId });
    const etag = `"${photoId}-${size}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag, 'cache-control': 'private, max-age=31536000, immutable' }).end();
      return;
    }
    const key = photoKeys(`products/${ctx.principal.orgId}/${productId}/${photoId}`)[FILE_OF[size as PhotoSize]];
    let object;
    try {
      object = await services.storage.get(key);
    } catch (error) {
      if (isServiceDown(error)) {
        res.setHeader('Retry-After', '10');
        return sendJson(res, 503, { error: 'Photo storage unavailable; try again shortly', reason: 'storage_unavailable', requestId });
      }
      throw error;
    }
    if (!object) return sendJson(res, 404, { error: 'Not found', requestId });
    res.writeHead(200, {
      'content-type': object.contentType,
      'content-length': object.size,
      etag,
      'cache-control': 'private, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'content-disposition': 'inline',
    });
    res.end(req.method === 'HEAD' ? undefined : object.body);
  };
}
