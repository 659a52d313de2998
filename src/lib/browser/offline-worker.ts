import { isProductionBuild } from './env';

/**
 * The offline service worker's registration (src/sw/sw.ts, built into public/sw.js), once per page load, and what
 * came of it: the counting screen says when there can be no offline mode here, instead of working online-only
 * without a word.
 */
export type OfflineWorkerProblem =
  /** Plain HTTP on a network address: browsers give neither a service worker nor the camera there. */
  | 'insecure'
  /** A browser without service workers (some private windows). */
  | 'unsupported'
  /** The browser refused the registration for security (SecurityError): the certificate is not trusted, a warning was clicked through. */
  | 'refused';

let registration: Promise<ServiceWorker | null> | null = null;
let refusal: unknown = null;

/** Registers the worker (production builds only: development builds must not cache scripts); its active worker, or null. */
export function registerOfflineWorker(): Promise<ServiceWorker | null> {
  if (!isProductionBuild || offlineWorkerProblem()) return Promise.resolve(null);
  registration ??= navigator.serviceWorker
    .register('/sw.js', { scope: '/' })
    .then(async () => (await navigator.serviceWorker.ready).active)
    .catch((error: unknown) => {
      // Only the browser's security refusal says anything about this page for good; a network blip or a deploy
      // under way fails this try only, and the next page registers again.
      if ((error as { name?: string } | null)?.name === 'SecurityError') refusal = error;
      else registration = null;
      return null;
    });
  return registration;
}

/** Why this page can have no offline mode, or null when nothing stands in its way (yet). */
export function offlineWorkerProblem(): OfflineWorkerProblem | null {
  if (!window.isSecureContext) return 'insecure';
  if (!('serviceWorker' in navigator) || !('caches' in window)) return 'unsupported';
  return refusal ? 'refused' : null;
}
