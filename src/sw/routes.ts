/**
 * Which requests the offline service worker (src/sw/sw.ts) keeps. Plain URL tests, apart from the worker so
 * they can be unit-tested in Node.
 */

/** The read-only tRPC queries the counting page needs to start offline; nothing else under /api is ever cached. */
export const OFFLINE_QUERIES: ReadonlySet<string> = new Set(['auth.me', 'inventory.byId']);

/** The counting pages: the session list and everything under it. */
export function isCountingPage(url: URL): boolean {
  return url.pathname === '/inventory' || url.pathname.startsWith('/inventory/');
}

/** Next's client build output: content-hashed file names, so a cached copy never goes stale. */
export function isStaticAsset(url: URL): boolean {
  return url.pathname.startsWith('/_next/static/');
}

/**
 * A tRPC GET whose procedures are all offline queries: `/api/trpc/auth.me?input=…`, or a batch such as
 * `/api/trpc/auth.me,inventory.byId?batch=1&input=…`. A batch that mixes in any other procedure is not kept.
 */
export function isOfflineQuery(url: URL): boolean {
  if (!url.pathname.startsWith('/api/trpc/')) return false;
  const procedures = decodeURIComponent(url.pathname.slice('/api/trpc/'.length)).split(',');
  return procedures.every((p) => OFFLINE_QUERIES.has(p));
}
