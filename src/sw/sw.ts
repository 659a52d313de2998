/**
 * The offline service worker (Serwist), bundled into public/sw.js by scripts/build-sw.ts: precaches the client
 * build and the offline page, keeps the store's pages (counting, receiving, compliance, requests, catalogue, stock),
 * the read-only queries counting, receiving and compliance start with, and the product photos the screens showed
 * (cache first: their addresses never change); never touches POSTs, server-sent events or any other API call
 * (docs/architecture.md "The service worker"). The other pages' data comes from React Query's kept cache.
 */
import { CacheableResponsePlugin, CacheFirst, ExpirationPlugin, NetworkFirst, NetworkOnly, Serwist, type PrecacheEntry, type SerwistPlugin } from 'serwist';
import { API_CACHE, isOfflinePage, isOfflineQuery, isProductPhoto, isStaticAsset, isStorePage, OFFLINE_FALLBACK } from './routes';

declare const self: ServiceWorkerGlobalScope & { __SW_MANIFEST: (PrecacheEntry | string)[] | undefined };

// Pages and queries keep the cache names and keys of the hand-written worker this one replaced, so a tablet
// that updates keeps what it had cached; its script cache is superseded by the precache.
const PAGES_CACHE = 'mi-pages-v1';
const STORE_PAGES_CACHE = 'mi-store-pages-v1';
const STATIC_CACHE = 'mi-static-v2';
const PHOTOS_CACHE = 'mi-photos-v1';
const RETIRED_CACHES = ['mi-static-v1'];

/**
 * Thumbnails are a few KB each: 2,000 of them (a store's catalogue as counted) take some megabytes. The least recently
 * used go first, and none is served once 30 days old (it is fetched again online; a replaced photo has a new address
 * and its old copy simply ages out).
 */
const PHOTOS_MAX_ENTRIES = 2000;
const PHOTOS_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** On a flaky store LAN a counting page falls back to its cached copy after this long. */
const NETWORK_TIMEOUT_SECONDS = 3;

/** Only complete successes are kept: never an error page or the redirect to the login. */
const onlyOk = new CacheableResponsePlugin({ statuses: [200] });

/** A page is kept under its path alone (as before), so a query string never misses the cached copy. */
const byPath: SerwistPlugin = {
  cacheKeyWillBeUsed: ({ request }) => {
    const url = new URL(request.url);
    return `${url.origin}${url.pathname}`;
  },
};

/**
 * Answers are matched by URL alone. tRPC answers `Vary: trpc-accept, accept`, and what the page hands over is
 * fetched by the worker without the page's Accept header, so honouring Vary would miss exactly those entries.
 */
const byUrlOnly = { ignoreVary: true };

const offlinePages = new NetworkFirst({
  cacheName: PAGES_CACHE,
  networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS,
  matchOptions: byUrlOnly,
  plugins: [onlyOk, byPath, new ExpirationPlugin({ maxEntries: 50 })],
});
/**
 * The store's other pages in a cache of their own: browsing many requests' pages must never push the counting page
 * out of the counting pages' cache.
 */
const storePages = new NetworkFirst({
  cacheName: STORE_PAGES_CACHE,
  networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS,
  matchOptions: byUrlOnly,
  plugins: [onlyOk, byPath, new ExpirationPlugin({ maxEntries: 100 })],
});
const pagesFor = (url: URL) => (isStorePage(url) ? storePages : offlinePages);
const offlineQueries = new NetworkFirst({
  cacheName: API_CACHE,
  networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS,
  matchOptions: byUrlOnly,
  plugins: [onlyOk, new ExpirationPlugin({ maxEntries: 50 })],
});
// Scripts of a newer deploy than this worker's manifest (the worker updates after the page loads them).
const staticAssets = new CacheFirst({ cacheName: STATIC_CACHE, plugins: [onlyOk, new ExpirationPlugin({ maxEntries: 200 })] });

// A photo once seen shows again offline while counting. Only 200s are kept: a 401 (signed out) or 404 never is.
const productPhotos = new CacheFirst({
  cacheName: PHOTOS_CACHE,
  plugins: [onlyOk, new ExpirationPlugin({ maxEntries: PHOTOS_MAX_ENTRIES, maxAgeSeconds: PHOTOS_MAX_AGE_SECONDS, purgeOnQuotaError: true })],
});

const serwist = new Serwist({
  precacheEntries: self.__SW_MANIFEST,
  cacheId: 'mi',
  skipWaiting: true,
  clientsClaim: true,
  // Off: the worker keeps only the store's pages, and every other navigation (dashboard, admin…) would still pay for a
  // preload request it never uses.
  navigationPreload: false,
  // A page never kept (admin, dashboard…) or not kept yet, opened offline: the offline page, not the browser's error.
  fallbacks: { entries: [{ url: OFFLINE_FALLBACK, matcher: ({ request }) => request.mode === 'navigate' }] },
  runtimeCaching: [
    { matcher: ({ url, sameOrigin }) => sameOrigin && isStaticAsset(url), handler: staticAssets },
    { matcher: ({ request, url, sameOrigin }) => sameOrigin && request.method === 'GET' && isProductPhoto(url), handler: productPhotos },
    { matcher: ({ request, url, sameOrigin }) => sameOrigin && request.mode === 'navigate' && isStorePage(url), handler: storePages },
    { matcher: ({ request, url, sameOrigin }) => sameOrigin && request.mode === 'navigate' && isOfflinePage(url), handler: offlinePages },
    {
      matcher: ({ request, url, sameOrigin }) => sameOrigin && isOfflineQuery(url) && !(request.headers.get('accept') ?? '').includes('text/event-stream'),
      handler: offlineQueries,
    },
    // Every other page goes to the network as it would without the worker; only its failure is answered (fallbacks).
    { matcher: ({ request, sameOrigin }) => sameOrigin && request.mode === 'navigate', handler: new NetworkOnly() },
  ],
});

type CacheUrlsMessage = { type: 'cache-urls'; urls: string[] };

function isCacheUrlsMessage(data: unknown): data is CacheUrlsMessage {
  const message = data as Partial<CacheUrlsMessage> | null;
  return message?.type === 'cache-urls' && Array.isArray(message.urls) && message.urls.every((u) => typeof u === 'string');
}

/** The strategy that keeps `url` when the page reports it loaded it; undefined when it is not kept (or precached). */
function strategyFor(url: URL) {
  if (url.origin !== self.location.origin) return undefined;
  if (isStaticAsset(url)) return serwist.getPrecacheKeyForUrl(url.href) ? undefined : staticAssets;
  if (isOfflineQuery(url)) return offlineQueries;
  if (isProductPhoto(url)) return productPhotos;
  if (isOfflinePage(url)) return pagesFor(url);
  return undefined;
}

/**
 * The page hands over what it loaded before this worker controlled it (see register-sw.tsx), so the first visit's
 * page and queries are cached too and the counting page opens offline after a reload.
 */
self.addEventListener('message', (event) => {
  if (!isCacheUrlsMessage(event.data)) return;
  const requests = event.data.urls.map((raw) => {
    const url = new URL(raw, self.location.origin);
    // Best effort: what fails here is cached by the next visit's own requests.
    return strategyFor(url)?.handle({ request: new Request(url.href, { credentials: 'same-origin' }), event });
  });
  event.waitUntil(Promise.allSettled(requests));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(Promise.all(RETIRED_CACHES.map((name) => caches.delete(name))));
});

serwist.addEventListeners();
