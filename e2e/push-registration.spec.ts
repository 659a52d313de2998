import { spawn, type ChildProcess } from 'node:child_process';
import { createECDH, randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page, Request, Route, Worker } from '@playwright/test';
import postgres from 'postgres';
import { trpcQuery } from './fixtures/api';
import { demoUsers, expect, loginAs, test } from './fixtures/auth';
import { removeKeysUnder } from '../tests/helpers/redis-keys';
import { freePort } from '../tests/helpers/free-port';

/**
 * Browser push registration with the real Firebase web SDK and our code end to end. Only the outside world is
 * stood in: Google's Firebase Installations and FCM registration endpoints answer through `context.route`, and
 * the browser's push service (which headless Chromium without internet cannot reach) through an init script
 * that replaces PushManager's subscribe/getSubscription.
 *
 * The suite's server has no Firebase web config (the control must be absent there); the configured deployment is
 * a second instance of the same build on the same database, started here with FIREBASE_WEB_* set — what the
 * runtime config is for: one build, many deployments.
 */

const ADMIN_URL = process.env.E2E_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = process.env.E2E_DATABASE ?? 'mi_e2e';
const REDIS_URL = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379';

const webConfig = {
  apiKey: 'AIzaSyStandInStandInStandInStandIn0000',
  projectId: 'myinventory-e2e',
  appId: '1:842398520341:web:5f1e2d3c4b5a69788796a5',
  messagingSenderId: '842398520341',
  vapidKey: createECDH('prime256v1').generateKeys().toString('base64url'),
};
const FID = 'cPushE2eFid0123456789A';
const INSTALLATION_AUTH_TOKEN = 'stand-in-installation-auth-token';
/** FCM tokens are ~160 characters of base64url with a colon; the server refuses anything under 20. */
const fcmToken = (n: number) => `${FID}:APA91b${'StandInFcmRegistrationToken'.repeat(5)}${n}`;

function databaseUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}


/** A second app instance, as a deployment with browser push set up would run it. */
async function startConfiguredInstance(): Promise<{ url: string; child: ChildProcess; keyPrefix: string }> {
  const port = await freePort();
  const keyPrefix = `mi-e2e-push-${port}:`;
  const child = spawn('node_modules/.bin/tsx', ['src/server/main.ts'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl(),
      REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO_SEED: 'false',
      WORKERS_IN_PROCESS: 'false',
      RATE_LIMIT_LOGIN_PER_MINUTE: '100',
      RATE_LIMIT_ANON_PER_MINUTE: '2000',
      RATE_LIMIT_USER_PER_MINUTE: '2000',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      FIREBASE_WEB_API_KEY: webConfig.apiKey,
      FIREBASE_WEB_PROJECT_ID: webConfig.projectId,
      FIREBASE_WEB_APP_ID: webConfig.appId,
      FIREBASE_WEB_MESSAGING_SENDER_ID: webConfig.messagingSenderId,
      FIREBASE_WEB_VAPID_KEY: webConfig.vapidKey,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the configured instance exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) return { url, child, keyPrefix };
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGTERM');
  throw new Error('the configured instance did not become healthy in 90 s');
}

/**
 * The browser's push service, stood in: subscribe returns a subscription-like object (endpoint + keys) and
 * remembers it in localStorage, so getSubscription finds it after a reload as a real browser's would.
 */
function standInPushService() {
  const KEY = 'e2e:push-subscription';
  const toBuffer = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  type Saved = { endpoint: string; p256dh: string; auth: string; applicationServerKey: string };
  const subscriptionOf = (saved: Saved) => ({
    endpoint: saved.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: toBuffer(saved.applicationServerKey) },
    getKey: (name: string) => toBuffer(name === 'p256dh' ? saved.p256dh : saved.auth),
    toJSON: () => ({ endpoint: saved.endpoint, keys: { p256dh: saved.p256dh, auth: saved.auth } }),
    unsubscribe: async () => {
      localStorage.removeItem(KEY);
      localStorage.setItem('e2e:push-unsubscribed', String(Number(localStorage.getItem('e2e:push-unsubscribed') ?? '0') + 1));
      return true;
    },
  });
  const load = (): Saved | null => JSON.parse(localStorage.getItem(KEY) ?? 'null') as Saved | null;
  PushManager.prototype.getSubscription = async function () {
    const saved = load();
    return (saved ? subscriptionOf(saved) : null) as unknown as PushSubscription;
  };
  PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
    const key = new Uint8Array(options?.applicationServerKey as ArrayBuffer);
    const random = (n: number) => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(n))));
    const saved: Saved = {
      endpoint: `https://fcm.googleapis.com/fcm/send/stand-in-${crypto.randomUUID()}`,
      p256dh: btoa(String.fromCharCode(4, ...crypto.getRandomValues(new Uint8Array(64)))),
      auth: random(16),
      applicationServerKey: btoa(String.fromCharCode(...key)),
    };
    localStorage.setItem(KEY, JSON.stringify(saved));
    return subscriptionOf(saved) as unknown as PushSubscription;
  };
}

type Recorded = { method: string; url: string; headers: Record<string, string>; body: unknown };

/** Google's endpoints the web SDK calls, answered with the shapes the SDK reads (see @firebase/installations and @firebase/messaging). */
async function standInGoogle(context: BrowserContext, origin: string) {
  const calls: Recorded[] = [];
  let issued = 0;
  const cors = {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
    'access-control-allow-headers': 'content-type, x-goog-api-key, x-goog-firebase-installations-auth, x-firebase-client, authorization',
  };
  const answer = (route: Route, request: Request, json: unknown) => {
    calls.push({ method: request.method(), url: request.url(), headers: request.headers(), body: request.postDataJSON() as unknown });
    return route.fulfill({ status: 200, headers: cors, contentType: 'application/json', json });
  };
  await context.route('https://firebaseinstallations.googleapis.com/v1/projects/*/installations**', (route, request) => {
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    const body = request.postDataJSON() as { fid: string };
    return answer(route, request, {
      name: `projects/${webConfig.projectId}/installations/${body.fid}`,
      fid: body.fid,
      refreshToken: 'stand-in-refresh-token',
      authToken: { token: INSTALLATION_AUTH_TOKEN, expiresIn: '604800s' },
    });
  });
  await context.route('https://fcmregistrations.googleapis.com/v1/projects/*/registrations**', (route, request) => {
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    if (request.method() === 'POST') return answer(route, request, { token: fcmToken(++issued) });
    return answer(route, request, {});
  });
  return calls;
}

async function newContext(browser: Browser, baseURL: string) {
  return browser.newContext({ baseURL, locale: 'pt-BR', timezoneId: 'America/Sao_Paulo', viewport: { width: 1366, height: 900 }, serviceWorkers: 'allow' });
}

const bellButton = (page: Page) => page.getByRole('banner').getByRole('button', { name: /^Notificações/ });
const panel = (page: Page) => page.getByRole('region', { name: 'Notificações', exact: true });

async function openPanel(page: Page) {
  if (!(await panel(page).isVisible())) await bellButton(page).click();
  await expect(panel(page)).toBeVisible();
}

async function messagingWorker(context: BrowserContext): Promise<Worker> {
  const find = () => context.serviceWorkers().find((w) => w.url().includes('/firebase-messaging-sw.js'));
  const existing = find();
  if (existing) return existing;
  await expect.poll(() => Boolean(find()), { message: 'the Firebase messaging service worker runs' }).toBe(true);
  return find()!;
}

test.describe('browser push registration', () => {
  test('a deployment without Firebase web config shows no push control', async ({ page }) => {
    await loginAs(page, 'manager');
    expect(await trpcQuery(page.request, 'notifications.pushConfig')).toBeNull();
    await openPanel(page);
    await expect(panel(page).getByText('Nenhuma notificação por enquanto.').or(panel(page).getByRole('list'))).toBeVisible();
    await expect(panel(page).getByRole('heading', { name: 'Notificações neste aparelho' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Ativar notificações neste aparelho' })).toHaveCount(0);
  });

  test.describe('with Firebase web config', () => {
    let instance: { url: string; child: ChildProcess; keyPrefix: string };
    let sql: postgres.Sql;

    test.beforeAll(async () => {
      test.setTimeout(120_000);
      sql = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
      instance = await startConfiguredInstance();
      const worker = await fetch(`${instance.url}/firebase-messaging-sw.js`);
      expect(worker.status, 'public/firebase-messaging-sw.js is built before `next build`: run `npm run build`').toBe(200);
    });

    test.afterAll(async () => {
      if (instance?.child.exitCode === null) {
        const exited = new Promise((resolve) => instance.child.once('exit', resolve));
        instance.child.kill('SIGTERM');
        await exited;
      }
      // The shared Redis keeps nothing of this instance's (sessions, rate-limit windows, cache generations).
      if (instance) await removeKeysUnder(REDIS_URL, instance.keyPrefix).catch(() => {});
      await sql?.end({ timeout: 5 });
    });

    const deviceRows = (token: string) =>
      sql<{ email: string; platform: string }[]>`select u.email, d.platform from device_tokens d join users u on u.id = d.user_id where d.token = ${token}`;

    test('gets a token from the real SDK, registers it for the user, keeps it across starts and users of the device, drops it for a user who signs out, and removes it when turned off', async ({ browser }) => {
      test.setTimeout(90_000);
      const context = await newContext(browser, instance.url);
      await context.grantPermissions(['notifications'], { origin: instance.url });
      await context.addInitScript(standInPushService);
      const google = await standInGoogle(context, instance.url);
      const page = await context.newPage();

      await loginAs(page, 'manager');
      await openPanel(page);
      await expect(panel(page).getByRole('heading', { name: 'Notificações neste aparelho' })).toBeVisible();
      await panel(page).getByRole('button', { name: 'Ativar notificações neste aparelho' }).click();
      await expect(panel(page).getByText('Ativadas: você recebe avisos aqui')).toBeVisible({ timeout: 20_000 });

      // What the SDK sent to Google: an installation for our app, then the push subscription under our VAPID key.
      const installation = google.find((c) => c.url.includes('firebaseinstallations') && c.method === 'POST');
      expect(installation?.url).toBe(`https://firebaseinstallations.googleapis.com/v1/projects/${webConfig.projectId}/installations`);
      expect(installation?.headers['x-goog-api-key']).toBe(webConfig.apiKey);
      expect(installation?.body).toMatchObject({ appId: webConfig.appId, authVersion: 'FIS_v2' });
      const registrations = google.filter((c) => c.url.includes('fcmregistrations') && c.method === 'POST');
      expect(registrations).toHaveLength(1);
      expect(registrations[0]!.url).toBe(`https://fcmregistrations.googleapis.com/v1/projects/${webConfig.projectId}/registrations`);
      expect(registrations[0]!.headers['x-goog-firebase-installations-auth']).toBe(`FIS ${INSTALLATION_AUTH_TOKEN}`);
      const subscription = await page.evaluate(() => JSON.parse(localStorage.getItem('e2e:push-subscription') ?? 'null') as Record<string, string> | null);
      expect(subscription, 'the SDK subscribed through the stand-in push service').not.toBeNull();
      expect(Buffer.from(subscription!.applicationServerKey!, 'base64').toString('base64url')).toBe(webConfig.vapidKey);
      expect(registrations[0]!.body).toMatchObject({
        web: { endpoint: subscription!.endpoint, applicationPubKey: webConfig.vapidKey, origin: new URL(instance.url).host },
      });

      // The server holds the token the SDK got, for this user.
      await expect.poll(async () => deviceRows(fcmToken(1))).toEqual([{ email: demoUsers.manager.email, platform: 'web' }]);

      // A new start with the permission granted: the SDK answers from its cache, nothing new is issued, still on.
      await page.reload();
      await openPanel(page);
      await expect(panel(page).getByText('Ativadas: você recebe avisos aqui')).toBeVisible({ timeout: 20_000 });
      expect(google.filter((c) => c.url.includes('fcmregistrations') && c.method === 'POST')).toHaveLength(1);
      expect(await deviceRows(fcmToken(1))).toEqual([{ email: demoUsers.manager.email, platform: 'web' }]);

      // The tablet changes hands: on the next user's start the device's token is registered for them.
      await loginAs(page, 'buyer');
      await expect.poll(async () => deviceRows(fcmToken(1))).toEqual([{ email: demoUsers.buyer.email, platform: 'web' }]);
      await openPanel(page);
      await expect(panel(page).getByText('Ativadas: você recebe avisos aqui')).toBeVisible({ timeout: 20_000 });

      // Signing out: the server stops sending the buyer's notifications to this device; the next sign-in on it
      // (push still allowed here) registers the device again for whoever signs in.
      await bellButton(page).click();
      await page.getByRole('button', { name: 'Sair' }).click();
      await expect(page).toHaveURL(/\/login/);
      await expect.poll(async () => deviceRows(fcmToken(1))).toEqual([]);
      await loginAs(page, 'buyer');
      await expect.poll(async () => deviceRows(fcmToken(1))).toEqual([{ email: demoUsers.buyer.email, platform: 'web' }]);
      await openPanel(page);
      await expect(panel(page).getByText('Ativadas: você recebe avisos aqui')).toBeVisible({ timeout: 20_000 });

      await panel(page).getByRole('button', { name: 'Desativar' }).click();
      await expect(panel(page).getByRole('button', { name: 'Ativar notificações neste aparelho' })).toBeVisible({ timeout: 20_000 });
      await expect.poll(async () => deviceRows(fcmToken(1))).toEqual([]);
      // …and the SDK revoked the token at FCM and dropped the push subscription.
      await expect
        .poll(() => google.some((c) => c.method === 'DELETE' && c.url.endsWith(`/registrations/${fcmToken(1)}`)))
        .toBe(true);
      await expect.poll(() => page.evaluate(() => localStorage.getItem('e2e:push-unsubscribed'))).toBe('1');

      // Off stays off after a reload.
      await page.reload();
      await openPanel(page);
      await expect(panel(page).getByRole('button', { name: 'Ativar notificações neste aparelho' })).toBeVisible({ timeout: 20_000 });
      await context.close();
    });

    test('blocked notifications: the control says how to unblock them and registers nothing', async ({ browser }) => {
      // No grantPermissions: headless Chromium answers the permission prompt with "denied", as a person blocking it would.
      const context = await newContext(browser, instance.url);
      await context.addInitScript(standInPushService);
      const google = await standInGoogle(context, instance.url);
      const page = await context.newPage();
      await loginAs(page, 'clerk');
      await openPanel(page);
      await panel(page).getByRole('button', { name: 'Ativar notificações neste aparelho' }).click();
      await expect(panel(page).getByText('As notificações estão bloqueadas para este site.')).toBeVisible();
      await expect(panel(page).getByRole('button', { name: /Ativar|Desativar/ })).toHaveCount(0);
      expect(google).toEqual([]);
      await context.close();
    });

    test('a message that arrives with the app on screen shows in the app and opens its page; a notification click opens its page', async ({ browser }) => {
      test.setTimeout(90_000);
      const context = await newContext(browser, instance.url);
      await context.grantPermissions(['notifications'], { origin: instance.url });
      await context.addInitScript(standInPushService);
      await standInGoogle(context, instance.url);
      const page = await context.newPage();
      await loginAs(page, 'buyer');
      await openPanel(page);
      await panel(page).getByRole('button', { name: 'Ativar notificações neste aparelho' }).click();
      await expect(panel(page).getByText('Ativadas: você recebe avisos aqui')).toBeVisible({ timeout: 20_000 });
      await bellButton(page).click();

      // What FCM delivers for a message of our sender (notification + data), handed to the worker as the push service would.
      const requestId = randomUUID();
      const worker = await messagingWorker(context);
      await worker.evaluate(
        ({ requestId, senderId }) => {
          const message = {
            from: senderId,
            fcmMessageId: crypto.randomUUID(),
            notification: { title: 'Nova solicitação de compra', body: 'Camila Caixa enviou uma solicitação de R$ 120,00.' },
            data: { notificationId: crypto.randomUUID(), kind: 'purchaseRequest.created', requestId },
          };
          const scope = self as unknown as { dispatchEvent(e: Event): boolean; PushEvent: new (type: string, init: { data: string }) => Event };
          try {
            scope.dispatchEvent(new scope.PushEvent('push', { data: JSON.stringify(message) }));
          } catch {
            // A synthetic event refuses waitUntil; the SDK's handler has already started by then.
          }
        },
        { requestId, senderId: webConfig.messagingSenderId },
      );
      const toast = page.getByRole('status').filter({ hasText: 'Nova solicitação de compra' });
      await expect(toast).toBeVisible();
      await expect(toast).toContainText('Camila Caixa enviou uma solicitação de R$ 120,00.');
      await toast.getByRole('button', { name: 'Abrir' }).click();
      await expect(page).toHaveURL(`${instance.url}/purchase-requests/${requestId}`);

      // A system notification the SDK showed (as it does in the background), clicked: the worker sends the app there.
      // Back home inside the app (no reload: the page keeps listening to the worker).
      await page.getByRole('link', { name: 'MyInventory' }).click();
      await expect(page).toHaveURL(`${instance.url}/`);
      const otherRequest = randomUUID();
      await worker.evaluate(
        async ({ otherRequest }) => {
          const scope = self as unknown as {
            registration: ServiceWorkerRegistration;
            dispatchEvent(e: Event): boolean;
            NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
          };
          const message = { notification: { title: 'Item aprovado', body: 'Aprovado.' }, data: { kind: 'purchaseRequest.itemDecided', requestId: otherRequest } };
          await scope.registration.showNotification('Item aprovado', { body: 'Aprovado.', data: { FCM_MSG: message } });
          const notification = (await scope.registration.getNotifications()).find((n) => n.title === 'Item aprovado');
          if (!notification) throw new Error('no notification was shown');
          try {
            scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification }));
          } catch {
            // See above: waitUntil on a synthetic event.
          }
        },
        { otherRequest },
      );
      await expect(page).toHaveURL(`${instance.url}/purchase-requests/${otherRequest}`);
      await context.close();
    });
  });
});
