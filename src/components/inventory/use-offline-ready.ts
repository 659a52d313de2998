'use client';

import { useEffect, useState } from 'react';
import { isProductionBuild } from '~/lib/browser/env';

/** `unsupported`: no service worker here (development build, or a browser without one): nothing to show. */
export type OfflineReadiness = 'unsupported' | 'preparing' | 'ready';

/** The signed-in user's query the counting page needs to open offline (batched or not). */
const needsQuery = (request: Request) => new URL(request.url).pathname.split('/').pop()?.split(',').includes('auth.me') ?? false;

async function cachedForOffline(): Promise<boolean> {
  if (!navigator.serviceWorker.controller || !(await caches.match(location.pathname))) return false;
  for (const name of await caches.keys()) {
    if ((await (await caches.open(name)).keys()).some(needsQuery)) return true;
  }
  return false;
}

/**
 * Whether this page would open with the network off: the service worker controls it and has cached the page and
 * the user's session. Until then (the first visit downloads the app shell, about 2 MB) the clerk is told to stay
 * online a moment; checked every second until ready.
 */
export function useOfflineReady(): OfflineReadiness {
  const [state, setState] = useState<OfflineReadiness>('preparing');
  useEffect(() => {
    if (!isProductionBuild || !('serviceWorker' in navigator) || !('caches' in window)) {
      setState('unsupported');
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      const ready = await cachedForOffline().catch(() => false);
      if (stopped) return;
      if (ready) setState('ready');
      else timer = setTimeout(() => void check(), 1000);
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return state;
}
