import type { IncomingMessage, ServerResponse } from 'node:http';
import { COMPLIANCE_PHOTO_PATH_PREFIX, photoSizes, type PhotoSize, PHOTO_PATH_PREFIX } from '~/lib/photos';
import { isUuid } from '~/lib/uuid';
import { compliancePhotoAccess } from '../compliance/queries';
import { compliancePhotoKey } from '../compliance/keys';
import { isManager, type Principal } from '../domain/principal';
import { photoKeys } from '../images/keys';
import { isServiceDown } from '../integrations/resilience';
import type { Services } from '../services';
import { requestContextOf } from './file-route';
import { sendJson } from './respond';

const FILE_OF: Record<PhotoSize, keyof ReturnType<typeof photoKeys>> = { thumb: 'thumb', large: 'large', original: 'original' };

/** The storage key of a photo the caller may see, or null (a 404, like a missing photo). */
type Resolve = (services: Services, principal: Principal, ownerId: string, photoId: string) => Promise<string | null>;

const products: Resolve = async (_services, principal, productId, photoId) => `products/${principal.orgId}/${productId}/${photoId}`;

/** A task's photo: of the caller's org, and for a clerk of one of their stores. */
const compliance: Resolve = async (services, principal, taskId, photoId) => {
  const access = await compliancePhotoAccess(services.db, principal.orgId, taskId, photoId);
  if (!access) return null;
  return isManager(principal) || principal.storeIds.includes(access.storeId) ? compliancePhotoKey(principal.orgId, taskId, photoId) : null;
};

/**
 * `GET /api/images/products/<productId>/<photoId>/<thumb|large|original>`: a product photo of the caller's org,
 * from storage; `GET /api/images/compliance/<taskId>/<photoId>/<size>`: a compliance task's photo, for its store's
 * people and managers. Signed in (session cookie or bearer token), the org taken from the caller: another org's photo is
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
    const [prefix, resolve] = path.startsWith(COMPLIANCE_PHOTO_PATH_PREFIX) ? [COMPLIANCE_PHOTO_PATH_PREFIX, compliance] : [PHOTO_PATH_PREFIX, products];
    const [ownerId, photoId, size, ...rest] = path.slice(prefix.length).split('/');
    if (!isUuid(ownerId) || !isUuid(photoId) || !photoSizes.includes(size as PhotoSize) || rest.length > 0) {
      return sendJson(res, 404, { error: 'Not found', requestId });
    }
    const ctx = await requestContextOf(services, req, res, { secure: opts.isSecure(req), trustProxy: opts.trustProxy });
    if (!ctx.principal) return sendJson(res, 401, { error: ctx.credentialError ?? 'Sign in to continue (session missing or expired)', reason: 'signed_out', requestId });
    // Who may see it is decided before anything about it is answered, a 304 included.
    const base = await resolve(services, ctx.principal, ownerId, photoId);
    if (!base) return sendJson(res, 404, { error: 'Not found', requestId });
    const etag = `"${photoId}-${size}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag, 'cache-control': 'private, max-age=31536000, immutable' }).end();
      return;
    }
    let object;
    let standIn = false;
    try {
      object = await services.storage.get(photoKeys(base)[FILE_OF[size as PhotoSize]]);
      // A compliance photo's thumbnails are made with its check: until then, its original stands in (not kept).
      if (!object && resolve === compliance && size !== 'original') {
        object = await services.storage.get(photoKeys(base).original);
        standIn = object !== null;
      }
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
      ...(standIn ? { 'cache-control': 'private, no-cache' } : { etag, 'cache-control': 'private, max-age=31536000, immutable' }),
      'x-content-type-options': 'nosniff',
      'content-disposition': 'inline',
    });
    res.end(req.method === 'HEAD' ? undefined : object.body);
  };
}
