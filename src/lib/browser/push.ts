import type { FirebaseApp } from 'firebase/app';
import type { Messaging, MessagePayload } from 'firebase/messaging';

/**
 * Browser push through Firebase Cloud Messaging: the device's FCM token, got with the Firebase web SDK from a
 * service worker of its own (`/firebase-messaging-sw.js`, built by scripts/build-firebase-sw.ts) in the SDK's
 * default scope, apart from the app's offline worker at `/`. The SDK is loaded only when a deployment sets it up.
 */

/** What the server serves as `notifications.pushConfig`. */
export type WebPushConfig = { apiKey: string; projectId: string; appId: string; messagingSenderId: string; vapidKey: string };

export const MESSAGING_SW_PATH = '/firebase-messaging-sw.js';
export const MESSAGING_SW_SCOPE = '/firebase-cloud-messaging-push-scope';

/** This device's registration as last sent to the server (per browser profile, not per user: a tablet is shared). */
export type StoredRegistration = { token: string; userId: string; registeredAt: number };
const STORAGE_KEY = 'mi:push-registration';

export function readStoredRegistration(): StoredRegistration | null {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<StoredRegistration> | null;
    return value && typeof value.token === 'string' && typeof value.userId === 'string' && typeof value.registeredAt === 'number'
      ? (value as StoredRegistration)
      : null;
  } catch {
    return null;
  }
}

export function storeRegistration(registration: StoredRegistration | null) {
  if (registration) localStorage.setItem(STORAGE_KEY, JSON.stringify(registration));
  else localStorage.removeItem(STORAGE_KEY);
}

/** The Firebase SDK's own check (IndexedDB, service workers, PushManager, Notification, …). */
export async function isPushSupported(): Promise<boolean> {
  if (typeof window === 'undefined' || !('Notification' in window) || !('serviceWorker' in navigator)) return false;
  const { isSupported } = await import('firebase/messaging');
  return isSupported().catch(() => false);
}

let messagingPromise: Promise<Messaging> | null = null;

async function messagingFor(config: WebPushConfig): Promise<Messaging> {
  messagingPromise ??= (async () => {
    const [{ initializeApp, getApps }, { getMessaging }] = await Promise.all([import('firebase/app'), import('firebase/messaging')]);
    const app: FirebaseApp = getApps()[0] ?? initializeApp(firebaseOptions(config));
    return getMessaging(app);
  })();
  return messagingPromise;
}

function firebaseOptions(config: WebPushConfig) {
  return { apiKey: config.apiKey, projectId: config.projectId, appId: config.appId, messagingSenderId: config.messagingSenderId };
}

/**
 * The messaging worker, registered with the config in its URL: a worker must add its push listeners when its
 * script first runs, before it could ask the server for anything. A changed config is a new URL, hence an update.
 */
async function messagingWorker(config: WebPushConfig): Promise<ServiceWorkerRegistration> {
  const url = `${MESSAGING_SW_PATH}?${new URLSearchParams(firebaseOptions(config)).toString()}`;
  const registration = await navigator.serviceWorker.register(url, { scope: MESSAGING_SW_SCOPE });
  await activated(registration);
  return registration;
}

/** A push subscription needs an active worker; a first registration is still installing. */
function activated(registration: ServiceWorkerRegistration): Promise<void> {
  if (registration.active) return Promise.resolve();
  const worker = registration.installing ?? registration.waiting;
  if (!worker) return Promise.reject(new Error('O service worker de notificações não foi instalado.'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('O service worker de notificações não ficou ativo a tempo.')), 15_000);
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') {
        clearTimeout(timer);
        resolve();
      } else if (worker.state === 'redundant') {
        clearTimeout(timer);
        reject(new Error('O service worker de notificações foi descartado.'));
      }
    });
  });
}

/**
 * This device's FCM token: from the SDK's cache when its push subscription is unchanged, a new one otherwise
 * (the SDK also renews it weekly). Needs the notification permission already granted.
 */
export async function currentPushToken(config: WebPushConfig): Promise<string> {
  const [messaging, registration, { getToken }] = await Promise.all([messagingFor(config), messagingWorker(config), import('firebase/messaging')]);
  return getToken(messaging, { vapidKey: config.vapidKey, serviceWorkerRegistration: registration });
}

/** Revokes this device's token at FCM and drops its push subscription. */
export async function deletePushToken(config: WebPushConfig): Promise<void> {
  const [messaging, { deleteToken }] = await Promise.all([messagingFor(config), import('firebase/messaging')]);
  // deleteToken takes no worker: a getToken first tells the SDK ours (answered from its cache), or it would
  // register a worker of its own, without the config, over ours.
  await currentPushToken(config);
  await deleteToken(messaging);
}

/** Messages that arrive while a page of ours is visible (the worker shows the others as system notifications). */
export async function onForegroundMessage(config: WebPushConfig, listener: (payload: MessagePayload) => void): Promise<() => void> {
  const [messaging, { onMessage }] = await Promise.all([messagingFor(config), import('firebase/messaging')]);
  return onMessage(messaging, listener);
}
