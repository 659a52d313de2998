/**
 * The Firebase messaging service worker, bundled with the SDK by scripts/build-firebase-sw.ts into
 * public/firebase-messaging-sw.js. Registered by src/lib/browser/push.ts in the SDK's own scope, so it never
 * serves the app's pages (that is public/sw.js). The SDK shows background messages as system notifications and
 * hands foreground ones to the page; this file only adds where a click leads.
 */
import { initializeApp } from 'firebase/app';
import { getMessaging } from 'firebase/messaging/sw';
import { notificationPath } from '../notification-links';
import { OPEN_PATH_MESSAGE } from './push-messages';

// The DOM library types this file (tsconfig's lib); the few worker APIs it uses are declared here.
type WindowClientLike = { url: string; focus(): Promise<WindowClientLike>; postMessage(message: unknown): void };
type NotificationClickEvent = Event & { notification: Notification; action: string; waitUntil(promise: Promise<unknown>): void };
type WorkerScope = {
  location: Location;
  clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClientLike[]>;
    openWindow(url: string): Promise<WindowClientLike | null>;
  };
  addEventListener(type: 'notificationclick', listener: (event: NotificationClickEvent) => void): void;
};
const worker = self as unknown as WorkerScope;

/** What the SDK keeps in a notification it showed: the FCM message under this key. */
const FCM_MSG = 'FCM_MSG';

// Added before the SDK's listener so it runs first: the SDK would only focus a tab, our messages carry no link.
worker.addEventListener('notificationclick', (event) => {
  const message = (event.notification.data as Record<string, { data?: Record<string, string> }> | null)?.[FCM_MSG];
  if (!message || event.action) return;
  event.stopImmediatePropagation();
  event.notification.close();
  event.waitUntil(openPath(notificationPath(message.data) ?? '/'));
});

/**
 * Pages of ours are controlled by the app's worker, not this one, so this one cannot navigate them: it focuses
 * one and asks it to go there (src/components/push/push-provider.tsx), or opens a new window.
 */
async function openPath(path: string) {
  const windows = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((w) => new URL(w.url).origin === worker.location.origin);
  if (!open) {
    await worker.clients.openWindow(path);
    return;
  }
  const focused = await open.focus().catch(() => open);
  focused.postMessage({ type: OPEN_PATH_MESSAGE, path });
}

// The page registers this worker with the Firebase web config in its URL (see messagingWorker in push.ts).
const params = new URL(worker.location.href).searchParams;
const config = {
  apiKey: params.get('apiKey') ?? '',
  projectId: params.get('projectId') ?? '',
  appId: params.get('appId') ?? '',
  messagingSenderId: params.get('messagingSenderId') ?? '',
};
if (config.apiKey && config.projectId && config.appId && config.messagingSenderId) {
  // Adds the SDK's push, pushsubscriptionchange and notificationclick listeners (they must be added on the first run).
  getMessaging(initializeApp(config));
}
