'use client';

import { useEffect, useState } from 'react';
import { isProductionBuild } from '~/lib/browser/env';
import { offlineWorkerProblem, registerOfflineWorker, type OfflineWorkerProblem } from '~/lib/browser/offline-worker';

/**
 * `development`: no service worker in a development build (nothing to show); `preparing` until the page would open
 * offline, then `ready`; or why it never will here (offline-worker.ts).
 */
export type OfflineReadiness = 'development' | 'preparing' | 'ready' | OfflineWorkerProblem;

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
 * online a moment; checked every second until ready, or until the browser has refused the worker.
 */
export function useOfflineReady(): OfflineReadiness {
  const [state, setState] = useState<OfflineReadiness>('preparing');
  useEffect(() => {
    if (!isProductionBuild) {
      setState('development');
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      const problem = offlineWorkerProblem();
      if (stopped) return;
      if (problem) return setState(problem);
      const ready = await cachedForOffline().catch(() => false);
      if (stopped) return;
      if (ready) setState('ready');
      else timer = setTimeout(() => void check(), 1000);
    };
    // The app shell registers the worker; asking here too settles the refusal this check reads.
    void registerOfflineWorker().then(() => void check());
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return state;
}
