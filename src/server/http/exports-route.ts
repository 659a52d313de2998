import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { assertStorableInput } from '../api/middleware/input-guard';
import { date, id } from '../api/validators';
import { purchaseRequestStatuses, type UserRole } from '../db/schema';
import type { SignedInContext } from '../domain/context';
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
import type { FileRoute } from './file-route';
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
 * `GET /api/export/<kind>.<csv|xlsx>?…`: a file streamed as it is read from PostgreSQL, through the file routes'
 * door (file-route.ts): its kind's roles, its parameters checked by zod, the org from the credential (another org's
 * session is a 404). The query's statement timeout (EXPORT_TIMEOUT_MS) ends a long export; a second later the
 * route's deadline ends one whose reader stopped reading.
 */
export function createExportRoute(services: Services, serveFile: FileRoute) {
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
    return serveFile(req, res, {
      logPath: `export.${match[1]}.${format}`,
      roles: exportKind.roles,
      invalidMessage: 'Invalid export parameters',
      deadlineMs: services.env.EXPORT_TIMEOUT_MS + 1000,
      input: async () => {
        const raw = queryParams(search);
        assertStorableInput(raw);
        return exportKind.params.parse(raw);
      },
      prepare: async (ctx, params) => {
        const job = await exportKind.prepare(ctx, params);
        return { contentType: exportContentTypes[format], filename: `${job.filename}.${format}`, write: (out) => job.write(format, out) };
      },
    });
  };
}
