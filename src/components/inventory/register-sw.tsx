'use client';

import { useEffect } from 'react';
import { isProductionBuild } from '~/lib/browser/env';

/**
 * Registers the offline service worker (src/sw/sw.ts, built into public/sw.js; production builds only) and hands it
 * the URLs this page already loaded, so the first visit's page, queries and product photos are cached too (the
 * scripts are precached) and the counting page opens offline after a reload.
 */
export function RegisterServiceWorker() {
  useEffect(() => {
    // Development builds must not cache scripts.
    if (!isProductionBuild || !('serviceWorker' in navigator)) return;
    const send = (worker: ServiceWorker | null | undefined) => {
      const urls = performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((u) => u.startsWith(location.origin) && /^\/(_next\/static|api\/trpc|api\/images\/products)\//.test(new URL(u).pathname));
      worker?.postMessage({ type: 'cache-urls', urls: [...urls, location.pathname] });
    };
    navigator.serviceWorker
      .register('/sw.js', { scope: '/' })
      .then(async () => {
        const registration = await navigator.serviceWorker.ready;
        send(registration.active);
      })
      .catch(() => undefined);
  }, []);
  return null;
}
