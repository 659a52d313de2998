import type { Env } from '~/env';

/** What a browser needs to get an FCM token (none of it is secret); null when push is not set up for browsers. */
export type WebPushConfig = { apiKey: string; projectId: string; appId: string; messagingSenderId: string; vapidKey: string };

export function webPushConfigOf(env: Env): WebPushConfig | null {
  const { FIREBASE_WEB_API_KEY: apiKey, FIREBASE_WEB_PROJECT_ID: projectId, FIREBASE_WEB_APP_ID: appId } = env;
  const { FIREBASE_WEB_MESSAGING_SENDER_ID: messagingSenderId, FIREBASE_WEB_VAPID_KEY: vapidKey } = env;
  if (!apiKey || !projectId || !appId || !messagingSenderId || !vapidKey) return null;
  return { apiKey, projectId, appId, messagingSenderId, vapidKey };
}
