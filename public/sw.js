/*
 * MyInventory's offline service worker (hand-written; see src/components/inventory/register-sw.tsx).
 * It serves the counting pages (/inventory/**) and their scripts when the network is off. It never touches
 * non-GET requests (tRPC mutations are POSTs), server-sent events, or API calls other than the few read-only
 * queries the counting page needs to start offline.
 */
const STATIC_CACHE = 'mi-static-v1';
const PAGES_CACHE = 'mi-pages-v1';
const API_CACHE = 'mi-api-v1';
const OFFLINE_QUERIES = ['auth.me', 'inventory.byId'];

self.addEventListener('install', () => {
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([STATIC_CACHE, PAGES_CACHE, API_CACHE]);
      for (const name of await caches.keys()) if (!keep.has(name)) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

/** The page hands over what it loaded before this worker controlled it, so the first visit is cached too. */
self.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'cache-urls' || !Array.isArray(data.urls)) return;
  event.waitUntil(
    (async () => {
      for (const raw of data.urls) {
        const url = new URL(raw, self.location.origin);
        if (url.origin !== self.location.origin) continue;
        try {
          if (url.pathname.startsWith('/_next/static/')) {
            const cache = await caches.open(STATIC_CACHE);
            if (!(await cache.match(url.href))) await cache.add(url.href);
          } else if (isOfflineQuery(url)) {
            const response = await fetch(url.href, { credentials: 'same-origin' });
            if (response.ok) await (await caches.open(API_CACHE)).put(url.href, response);
          } else if (isCountingPage(url)) {
            const response = await fetch(url.href, { credentials: 'same-origin' });
            if (response.ok) await (await caches.open(PAGES_CACHE)).put(url.pathname, response);
          }
        } catch {
          // Best effort: the next visit caches it through fetch.
        }
      }
    })(),
  );
});

function isCountingPage(url) {
  return url.pathname === '/inventory' || url.pathname.startsWith('/inventory/');
}

function isOfflineQuery(url) {
  if (!url.pathname.startsWith('/api/trpc/')) return false;
  const procedures = decodeURIComponent(url.pathname.slice('/api/trpc/'.length)).split(',');
  return procedures.every((p) => OFFLINE_QUERIES.includes(p));
}

async function networkFirst(request, cacheName, key) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(STATIC_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if ((request.headers.get('accept') || '').includes('text/event-stream')) return;

  if (url.pathname.startsWith('/_next/static/')) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === 'navigate' && isCountingPage(url)) {
    event.respondWith(networkFirst(request, PAGES_CACHE, url.pathname));
  } else if (isOfflineQuery(url)) {
    event.respondWith(networkFirst(request, API_CACHE, request.url));
  }
});
