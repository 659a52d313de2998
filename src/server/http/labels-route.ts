import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { labelSheetIds } from '~/lib/label-sheets';
import { assertStorableInput } from '../api/middleware/input-guard';
import { id } from '../api/validators';
import { AppError } from '../errors';
import { shelfLabels } from '../labels/service';
import type { Services } from '../services';
import { BODY_LIMIT_BYTES } from './request-guard';
import { BodyTooLarge, type FileRoute } from './file-route';
import { sendJson } from './respond';

export const LABELS_PATH = '/api/labels.pdf';

const labelsInput = z.strictObject({
  productIds: z.array(id).min(1),
  layout: z.enum(labelSheetIds),
  skip: z.number().int().min(0).default(0),
});

/** The request body, read up to `limit` bytes; BodyTooLarge past it (the rest is not read). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * `POST /api/labels.pdf` with `{ productIds, layout, skip? }`: shelf labels of the caller's org's products, a PDF of
 * A4 label sheets, through the file routes' door (file-route.ts). POST because a selection of a thousand ids does
 * not fit in a URL. The body is checked by zod; another org's product is a 404 and nothing is printed. The PDF is
 * streamed a sheet at a time.
 */
export function createLabelsRoute(services: Services, serveFile: FileRoute) {
  return async function serveLabels(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = res.getHeader('x-request-id') as string;
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJson(res, 405, { error: `Method ${req.method} not allowed: POST { productIds, layout, skip? }`, requestId });
    }
    return serveFile(req, res, {
      logPath: 'labels.pdf',
      roles: null,
      invalidMessage: 'Invalid labels request',
      deadlineMs: services.env.EXPORT_TIMEOUT_MS,
      input: async () => {
        const body = await readBody(req, BODY_LIMIT_BYTES);
        let raw: unknown;
        try {
          raw = JSON.parse(body.toString('utf8'));
        } catch {
          throw new AppError('INVALID', 'unreadable_input', 'The body is not JSON: { "productIds": [...], "layout": "a4-21", "skip": 0 }');
        }
        assertStorableInput(raw);
        return labelsInput.parse(raw);
      },
      prepare: async (ctx, input) => {
        const job = await shelfLabels(ctx, input);
        return { contentType: 'application/pdf', filename: `${job.filename}.pdf`, write: (out) => job.write(out) };
      },
    });
  };
}
