import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { assertStorableInput } from '../api/middleware/input-guard';
import { enforceRateLimit } from '../api/middleware/ratelimit';
import { logProcedureResult } from '../api/middleware/request-log';
import { createContext } from '../api/trpc';
import { date, id } from '../api/validators';
import { SESSION_COOKIE } from '../auth/secrets';
import { readCookie } from '../auth/cookies';
import { purchaseRequestStatuses, type UserRole } from '../db/schema';
import type { SignedInContext } from '../domain/context';
import { AppError, toTRPCError } from '../errors';
import { ExportAborted } from '../exports/flow';
import {
  auditExport,
  catalogueExport,
  exportContentTypes,
  inventorySessionExport,
  purchaseRequestsExport,
  stockExport,
  type ExportFormat,
  type ExportJob,
} from '../exports/service';
import type { Services } from '../services';
import { refusal } from './refusal';
import { bearerFrom, clientIpFrom } from './request-meta';
import { sendJson } from './respond';

export const EXPORT_PATH_PREFIX = '/api/export/';
const EXPORT_PATH = /^\/api\/export\/([a-z-]+)\.(csv|xlsx)$/;

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date and time' }).transform((v) => new Date(v)).pipe(date);
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const filterText = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

type ExportKind<P> = {
  /** Who may export it: the roles of the procedure that lists the same rows (null: any member). */
  roles: readonly UserRole[] | null;
  params: z.ZodType<P>;
  prepare: (ctx: SignedInContext, params: P) => Promise<ExportJob>;
};
const kind = <P>(k: ExportKind<P>) => k as ExportKind<unknown>;

/** Each export, its query parameters (those of the screen it comes from) and its roles. */
const exportKinds: Record<string, ExportKind<unknown>> = {
  'inventory-session': kind({
    roles: ['manager', 'admin'],
    params: z.strictObject({ sessionId: id }),
    prepare: inventorySessionExport,
  }),
  'purchase-requests': kind({
    roles: null,
    params: z.strictObject({
      storeId: id.optional(),
      status: z.array(z.enum(purchaseRequestStatuses)).max(6).optional(),
      from: instant.optional(),
      to: instant.optional(),
      mine: flag.optional(),
      number: filterText(40).optional(),
    }),
    prepare: purchaseRequestsExport,
  }),
  catalogue: kind({
    roles: null,
    params: z.strictObject({
      search: filterText(100).optional(),
      category: filterText(100).optional(),
      buyerId: id.optional(),
      active: z.enum(['true', 'false', 'all']).default('true'),
    }),
    prepare: (ctx, p) => catalogueExport(ctx, { search: p.search, category: p.category, buyerId: p.buyerId, active: p.active === 'all' ? null : p.active === 'true' }),
  }),
  stock: kind({
    roles: ['manager', 'admin'],
    params: z.strictObject({ storeId: id.optional() }),
    prepare: stockExport,
  }),
  audit: kind({
    roles: ['admin'],
    params: z.strictObject({
      actorId: id.optional(),
      action: filterText(80).optional(),
      entityType: filterText(80).optional(),
      entityId: filterText(200).optional(),
      from: instant.optional(),
      to: instant.optional(),
    }),
    prepare: auditExport,
  }),
};

/** Parameters that take several values (repeated, or comma-separated). */
const LIST_PARAMS = new Set(['status']);

/** The query string as the schemas read it: empty values are absent; a list parameter is always an array. */
function queryParams(search: string): Record<string, string | string[]> {
  const params = new URLSearchParams(search);
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key).filter((v) => v !== '');
    if (LIST_PARAMS.has(key)) out[key] = values.flatMap((v) => v.split(',')).filter(Boolean);
    else if (values.length > 0) out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

/**
 * `GET /api/export/<kind>.<csv|xlsx>?…`: a file streamed as it is read from PostgreSQL. The door is the API's:
 * the session cookie or a bearer token (401 without), the rate limit, the kind's roles (403), its parameters checked
 * by zod (400 with the reason and refused values), the org from the credential (another org's session is a 404).
 * The answer is chunked, `no-store`, an attachment with a dated Portuguese name. If the query fails after the
 * first byte, the connection is destroyed: the client sees a failed download, never a short file that looks whole.
 */
export function createExportRoute(services: Services, opts: { isSecure: (req: IncomingMessage) => boolean; trustProxy: boolean }) {
  let running = 0;
  return async function serveExport(req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
    const requestId = res.getHeader('x-request-id') as string;
    const match = EXPORT_PATH.exec(path);
    const exportKind = match ? exportKinds[match[1]!] : undefined;
    if (!match || !exportKind) return sendJson(res, 404, { error: 'No such export: /api/export/<kind>.<csv|xlsx>', reason: 'not_found', requestId });
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return sendJson(res, 405, { error: `Method ${req.method} not allowed`, requestId });
    }
    const format = match[2] as ExportFormat;
    const started = performance.now();
    const ctx = await createContext({
      services,
      requestId,
      ip: clientIpFrom(req.headers['x-forwarded-for'], req.socket.remoteAddress, opts.trustProxy),
      userAgent: req.headers['user-agent'] ?? null,
      credentials: { bearer: bearerFrom(req.headers.authorization), sessionSecret: readCookie(req.headers.cookie, SESSION_COOKIE) },
      secure: opts.isSecure(req),
      setHeader: (name, value) => {
        if (!res.headersSent) res.setHeader(name, value);
      },
    });
    const logPath = `export.${match[1]}.${format}`;
    const log = (error: AppError | null) => logProcedureResult(ctx.logger, { path: logPath, type: 'export', durationMs: performance.now() - started, error: error && toTRPCError(error) });
    let holdsSlot = false;
    let deadline: NodeJS.Timeout | undefined;
    let timedOut = false;
    try {
      await enforceRateLimit({ rateLimiter: services.rateLimiter, caller: ctx.caller, ip: ctx.ip, setHeader: ctx.setHeader });
      // Another site may link here, but not make a signed-in browser fetch a whole catalogue for it.
      if (req.headers['sec-fetch-site'] === 'cross-site') throw new AppError('FORBIDDEN', 'cross_site', 'Cross-site request refused: exports are downloaded from this site only');
      if (ctx.operator) throw new AppError('FORBIDDEN', 'operator_outside_orgs', 'The platform operator belongs to no organization; this works on one');
      if (!ctx.principal) throw new AppError('UNAUTHORIZED', 'signed_out', ctx.credentialError ?? 'Sign in to continue (session missing or expired)');
      const { principal } = ctx;
      if (exportKind.roles && !exportKind.roles.includes(principal.role)) {
        throw new AppError('FORBIDDEN', 'role_required', `This export needs one of the roles: ${exportKind.roles.join(', ')}`, { roles: exportKind.roles });
      }
      const raw = queryParams(search);
      assertStorableInput(raw);
      const params = exportKind.params.parse(raw);
      if (running >= services.env.EXPORT_MAX_CONCURRENT) {
        res.setHeader('Retry-After', '10');
        throw new AppError('UNAVAILABLE', 'exports_busy', `${running} exports are being written; try again in a few seconds`, { retryAfterSeconds: 10 });
      }
      running++;
      holdsSlot = true;
      const job = await exportKind.prepare({ ...ctx.domain, principal }, params);
      res.setHeader('Content-Type', exportContentTypes[format]);
      res.setHeader('Content-Disposition', `attachment; filename="${job.filename}.${format}"`);
      // The query's statement timeout ends an export that runs too long, but only when it asks for more rows: a
      // reader that stopped reading would hold the connection and the slot for ever. A second later, this ends it.
      deadline = setTimeout(() => {
        timedOut = true;
        res.destroy();
      }, services.env.EXPORT_TIMEOUT_MS + 1000);
      const figures = await job.write(format, res);
      log(null);
      ctx.logger.info({ path: logPath, rows: figures.rows, bytes: figures.bytes, durationMs: Math.round(performance.now() - started) }, 'export written');
    } catch (error) {
      if (error instanceof ExportAborted) {
        const fields = { path: logPath, durationMs: Math.round(performance.now() - started) };
        if (timedOut) ctx.logger.warn(fields, 'export cut at its time limit (EXPORT_TIMEOUT_MS)');
        else ctx.logger.info(fields, 'export abandoned by its reader');
        res.destroy();
        return;
      }
      const { status, body, appError } = refusal(error, requestId, 'Invalid export parameters');
      if (appError) log(appError);
      else ctx.logger.error({ path: logPath, err: error }, 'export failed');
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
