import type { IncomingMessage } from 'node:http';

/** The methods anything of ours answers; the rest (TRACE, PUT, DELETE, …) get 405 before any handler runs. */
export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST'] as const;
export const methodAllowed = (method: string | undefined) => (ALLOWED_METHODS as readonly string[]).includes(method ?? '');

/** Request bodies of the API, capped while they are read (tRPC stops reading past the cap and answers 413). */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Procedures that take a file: the CSV imports (20 MB of text, plus the JSON around it). */
export const UPLOAD_LIMIT_BYTES = 21 * 1024 * 1024;
const UPLOAD_PROCEDURES = new Set(['products.importCsv', 'inventory.stock.importCsv', 'images.replacePhoto', 'compliance.uploadPhoto']);

/** The procedures a tRPC path names (a batch names several, comma-separated). */
export const proceduresOf = (apiPath: string) => decodeURIComponent(apiPath.slice('/api/trpc/'.length)).split(',');
export const takesUpload = (apiPath: string) => proceduresOf(apiPath).some((p) => UPLOAD_PROCEDURES.has(p));

/** A batch asked for as JSON lines (tRPC's httpBatchStreamLink): answered piece by piece, never held back or cached. */
export const streamedBatch = (req: IncomingMessage) => Boolean(req.headers['trpc-accept']) || Boolean(req.headers.accept?.includes('application/jsonl'));

/**
 * The path a request names, as the routing must see it: dot segments resolved (also `%2e`), repeated slashes
 * folded, so `/api/./trpc/x` and `/api/trpc/../trpc/x` are `/api/trpc/x` and reach the one API handler.
 */
export function normalizedPath(url: string | undefined): string {
  const raw = (url ?? '/').split('?', 1)[0]!;
  try {
    return new URL(`http://host${raw.startsWith('/') ? raw : `/${raw}`}`).pathname.replace(/\/{2,}/g, '/');
  } catch {
    return '/';
  }
}

/**
 * Where a browser says a request comes from, for the cross-site check of mutations: `Origin`, or `Referer` when
 * an older browser sent no Origin. Null when the caller is no browser (a script with an API token).
 */
function sourceOrigin(req: IncomingMessage): string | null {
  const origin = req.headers.origin;
  if (origin && origin !== 'null') return origin;
  if (origin === 'null') return 'null';
  const referer = req.headers.referer;
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/**
 * Whether a state-changing request may proceed: a browser's request must come from our own origin (the host it
 * reached, or PUBLIC_URL), so another site cannot make a signed-in browser log out, decide or import. Calls with
 * no browser origin (scripts with tokens) pass: they carry no ambient cookie to abuse.
 */
export function sameOriginOrScript(req: IncomingMessage, opts: { secure: boolean; publicUrl: string | undefined; trustProxy: boolean }): boolean {
  if (req.headers['sec-fetch-site'] === 'cross-site') return false;
  const from = sourceOrigin(req);
  if (from === null) return true;
  const host = (opts.trustProxy && typeof req.headers['x-forwarded-host'] === 'string' ? req.headers['x-forwarded-host'] : req.headers.host) ?? '';
  const own = [`${opts.secure ? 'https' : 'http'}://${host}`];
  if (opts.publicUrl) own.push(new URL(opts.publicUrl).origin);
  return own.includes(from);
}
