/**
 * Which requests the offline service worker (src/sw/sw.ts) keeps. Plain URL tests, apart from the worker so
 * they can be unit-tested in Node.
 */
import { PHOTO_PATH_PREFIX, photoSizes } from '../lib/photos';

/** The service worker's cache of those queries' answers: emptied at sign-out (a shared tablet's next user). */
export const API_CACHE = 'mi-api-v1';

/**
 * The read-only tRPC queries the counting, receiving and compliance pages need to start offline; nothing else under /api is
 * ever cached.
 */
export const OFFLINE_QUERIES: ReadonlySet<string> = new Set(['auth.me', 'inventory.byId', 'compliance.tasks', 'compliance.task', 'receiving.toReceive', 'receiving.byId']);

/** The counting pages: the session list and everything under it. */
export function isCountingPage(url: URL): boolean {
  return url.pathname === '/inventory' || url.pathname.startsWith('/inventory/');
}

/** The compliance pages: a clerk takes the photos where there may be no signal (the stockroom, the cold room). */
export function isCompliancePage(url: URL): boolean {
  return url.pathname === '/compliance' || url.pathname.startsWith('/compliance/');
}

/** Receiving: one page, the delivery in its query string (the worker keeps pages by path). */
export const isReceivingPage = (url: URL) => url.pathname === '/receiving';

/** A path and everything under it: `/stock` and `/stock/…`, not `/stock-report`. */
const under = (url: URL, path: string) => url.pathname === path || url.pathname.startsWith(`${path}/`);

/**
 * The rest of a store's day, opened offline with the data React Query kept (src/offline/query-persister.ts):
 * the home page, purchase requests (new, list, each one and its answer), the buyer's approvals, the catalogue and
 * the store's stock.
 */
export const isStorePage = (url: URL) =>
  url.pathname === '/' || under(url, '/purchase-requests') || under(url, '/approvals') || under(url, '/catalogue') || under(url, '/stock');

/** Pages that open offline (network first, the last copy when offline); any other page shows the offline page. */
export const isOfflinePage = (url: URL) => isCountingPage(url) || isCompliancePage(url) || isReceivingPage(url) || isStorePage(url);

/** Shown, precached, for a page that was never kept when there is no connection (public/offline.html). */
export const OFFLINE_FALLBACK = '/offline.html';

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

/**
 * A product photo (`/api/images/products/<productId>/<photoId>/<size>`, lib/photos.ts photoUrl): its address names
 * one photo for ever (a new photo gets a new id), so a kept copy is never stale. Every size matches; the screens show
 * thumbnails.
 */
export function isProductPhoto(url: URL): boolean {
  if (!url.pathname.startsWith(PHOTO_PATH_PREFIX)) return false;
  const parts = url.pathname.slice(PHOTO_PATH_PREFIX.length).split('/');
  return parts.length === 3 && parts[0] !== '' && parts[1] !== '' && (photoSizes as readonly string[]).includes(parts[2]!);
}
