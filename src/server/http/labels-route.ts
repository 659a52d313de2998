import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { labelSheetIds } from '~/lib/label-sheets';
import { assertStorableInput } from '../api/middleware/input-guard';
import { enforceRateLimit } from '../api/middleware/ratelimit';
import { logProcedureResult } from '../api/middleware/request-log';
import { createContext } from '../api/trpc';
import { id } from '../api/validators';
import { readCookie } from '../auth/cookies';
import { SESSION_COOKIE } from '../auth/secrets';
import { AppError, toTRPCError } from '../errors';
import { ExportAborted } from '../exports/flow';
import { shelfLabels } from '../labels/service';
import type { Services } from '../services';
import { refusal } from './refusal';
import { BODY_LIMIT_BYTES, sameOriginOrScript } from './request-guard';
import { bearerFrom, clientIpFrom } from './request-meta';
import { sendJson } from './respond';

export const LABELS_PATH = '/api/labels.pdf';

const labelsInput = z.strictObject({
  productIds: z.array(id).min(1),
  layout: z.enum(labelSheetIds),
  skip: z.number().int().min(0).default(0),
});

/** The request body, read up to `limit` bytes; null past it (the rest is not read). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * `POST /api/labels.pdf` with `{ productIds, layout, skip? }`: shelf labels of the caller's org's products, a PDF of
 * A4 label sheets. POST because a selection of a thousand ids does not fit in a URL. The door is the exports':
 * the session cookie or a bearer token (401 without), the rate limit, a browser's request from this site only
 * (403 `cross_site`, as the API's mutations), the body checked by zod (400 with the reason and refused values),
 * the org from the credential (another org's product is a 404 and nothing is printed). The PDF is streamed a sheet
 * at a time, `no-store`, an attachment with a dated name; a failure after the first byte destroys the connection.
 */
export function createLabelsRoute(services: Services, opts: { isSecure: (req: IncomingMessage) => boolean; trustProxy: boolean }) {
  let running = 0;
  return async function serveLabels(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = res.getHeader('x-request-id') as string;
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJson(res, 405, { error: `Method ${req.method} not allowed: POST { productIds, layout, skip? }`, requestId });
    }
    const started = performance.now();
    const secure = opts.isSecure(req);
    const ctx = await createContext({
      services,
      requestId,
      ip: clientIpFrom(req.headers['x-forwarded-for'], req.socket.remoteAddress, opts.trustProxy),
      userAgent: req.headers['user-agent'] ?? null,
      credentials: { bearer: bearerFrom(req.headers.authorization), sessionSecret: readCookie(req.headers.cookie, SESSION_COOKIE) },
      secure,
      setHeader: (name, value) => {
        if (!res.headersSent) res.setHeader(name, value);
      },
    });
    const logPath = 'labels.pdf';
    const log = (error: AppError | null) => logProcedureResult(ctx.logger, { path: logPath, type: 'export', durationMs: performance.now() - started, error: error && toTRPCError(error) });
    let holdsSlot = false;
    let deadline: NodeJS.Timeout | undefined;
    let timedOut = false;
    try {
      await enforceRateLimit({ rateLimiter: services.rateLimiter, caller: ctx.caller, ip: ctx.ip, setHeader: ctx.setHeader });
      if (!sameOriginOrScript(req, { secure, publicUrl: services.env.PUBLIC_URL, trustProxy: opts.trustProxy })) {
        throw new AppError('FORBIDDEN', 'cross_site', 'Cross-site request refused: labels are asked for from this site only');
      }
      if (ctx.operator) throw new AppError('FORBIDDEN', 'operator_outside_orgs', 'The platform operator belongs to no organization; this works on one');
      if (!ctx.principal) throw new AppError('UNAUTHORIZED', 'signed_out', ctx.credentialError ?? 'Sign in to continue (session missing or expired)');
      const { principal } = ctx;
      const body = await readBody(req, BODY_LIMIT_BYTES);
      if (!body) {
        res.setHeader('Connection', 'close');
        log(new AppError('INVALID', 'payload_too_large', 'Body over the limit'));
        return sendJson(res, 413, { error: `Request body over ${BODY_LIMIT_BYTES} bytes`, reason: 'payload_too_large', requestId });
      }
      let raw: unknown;
      try {
        raw = JSON.parse(body.toString('utf8'));
      } catch {
        throw new AppError('INVALID', 'unreadable_input', 'The body is not JSON: { "productIds": [...], "layout": "a4-21", "skip": 0 }');
      }
      assertStorableInput(raw);
      const input = labelsInput.parse(raw);
      if (running >= services.env.EXPORT_MAX_CONCURRENT) {
        res.setHeader('Retry-After', '5');
        throw new AppError('UNAVAILABLE', 'labels_busy', `${running} label PDFs are being written; try again in a few seconds`, { retryAfterSeconds: 5 });
      }
      running++;
      holdsSlot = true;
      const job = await shelfLabels({ ...ctx.domain, principal }, input);
      res.setHeader('Content-Type', 'application/pdf');
      res.setHeader('Content-Disposition', `attachment; filename="${job.filename}.pdf"`);
      // A reader that stops reading would hold the slot for ever: past the exports' time limit, this ends it.
      deadline = setTimeout(() => {
        timedOut = true;
        res.destroy();
      }, services.env.EXPORT_TIMEOUT_MS);
      const figures = await job.write(res);
      log(null);
      ctx.logger.info({ path: logPath, labels: figures.labels, sheets: figures.sheets, bytes: figures.bytes, durationMs: Math.round(performance.now() - started) }, 'labels written');
    } catch (error) {
      if (error instanceof ExportAborted) {
        const fields = { path: logPath, durationMs: Math.round(performance.now() - started) };
        if (timedOut) ctx.logger.warn(fields, 'labels cut at the time limit (EXPORT_TIMEOUT_MS)');
        else ctx.logger.info(fields, 'labels abandoned by their reader');
        res.destroy();
        return;
      }
      const { status, body, appError } = refusal(error, requestId, 'Invalid labels request');
      if (appError) log(appError);
      else ctx.logger.error({ path: logPath, err: error }, 'labels failed');
      if (res.headersSent) {
        // Part of the file is out: end the connection without the last chunk, so the download fails visibly.
        res.destroy();
        return;
      }
      res.removeHeader('Content-Type');
      res.removeHeader('Content-Disposition');
      sendJson(res, status, body);
    } finally {
      clearTimeout(deadline);
      if (holdsSlot) running--;
    }
  };
}
