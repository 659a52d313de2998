'use client';

import { usePathname } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { isProductionBuild } from '~/lib/browser/env';
import { registerOfflineWorker } from '~/lib/browser/offline-worker';

const KEPT = /^\/(_next\/static|api\/trpc|api\/images\/products)\//;

/**
 * Registers the offline service worker (src/sw/sw.ts, built into public/sw.js; production builds only) from the
 * app shell, and on every page hands it the URLs loaded since the last page (and the page itself), so what the
 * first visit loaded before the worker controlled it is cached too (the scripts are precached), and a page reached
 * by an in-app link is kept as well as one opened directly. The worker keeps only what it is meant to keep.
 */
export function RegisterServiceWorker() {
  const pathname = usePathname();
  const sent = useRef(0);
  const registered = useRef<Promise<ServiceWorker | null> | null>(null);
  useEffect(() => {
    // Development builds must not cache scripts.
    if (!isProductionBuild) return;
    registered.current ??= registerOfflineWorker();
    // This page, as it is now: the worker may become ready only after the person has moved on.
    const page = location.pathname;
    void registered.current.then((worker) => {
      const entries = performance.getEntriesByType('resource');
      const urls = entries
        .slice(sent.current)
        .map((e) => e.name)
        .filter((u) => u.startsWith(location.origin) && KEPT.test(new URL(u).pathname));
      sent.current = entries.length;
      worker?.postMessage({ type: 'cache-urls', urls: [...urls, page] });
    });
  }, [pathname]);
  return null;
}
