import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type LaunchOptions } from '@playwright/test';
import postgres from 'postgres';
import { DEMO_PASSWORD, demoUsers, expect, loginWithForm, test } from './fixtures/auth';
import { TABLET } from './fixtures/inventory';
import { freePort } from '../tests/helpers/free-port';

const INSTANCE = 'e2e-installable';


/** Up when its health check answers over HTTPS (this process does not trust the certificate; the tablet will). */
const answers = (origin: string) =>
  new Promise<boolean>((resolve) => {
    const request = https.get(`${origin}/api/health`, { rejectUnauthorized: false, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });

/**
 * The app as a tablet installs it from the store's back-office PC: a second instance of the real server on the e2e
 * database, started with HTTPS_SELF_SIGNED (it makes its own certificate under DATA_DIR/tls on first start). The
 * tablet trusts that certificate the way a person installs it: in the profile's NSS database (certutil, as Chromium
 * on Linux reads it), with no flag that ignores certificate errors; so the service worker registers as it would on
 * the LAN. Chromium itself then says whether the app is installable (DevTools protocol
 * Page.getInstallabilityErrors) and reads its manifest.
 */
test('installable on a tablet over HTTPS with the self-signed certificate: manifest, icons and service worker as Chromium requires', async ({ launchOptions }) => {
  test.setTimeout(150_000);
  const home = mkdtempSync(path.join(tmpdir(), 'mi-e2e-install-'));
  const port = await freePort();
  const origin = `https://127.0.0.1:${port}`;
  const database = new URL(process.env.E2E_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  database.pathname = `/${process.env.E2E_DATABASE ?? 'mi_e2e'}`;
  const server = spawn('node_modules/.bin/tsx', ['src/server/main.ts'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: database.toString(),
      // No Redis: this instance keeps its cache and limits in process (the e2e server's keys stay its own).
      REDIS_URL: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      HTTPS_SELF_SIGNED: 'true',
      DATA_DIR: path.join(home, 'data'),
      DEMO_SEED: 'false',
      WORKERS_IN_PROCESS: 'false',
      RATE_LIMIT_LOGIN_PER_MINUTE: '100',
      LOG_LEVEL: 'warn',
      // Its heartbeat row is removed afterwards: the operator's page lists the e2e server alone.
      INSTANCE_NAME: INSTANCE,
    },
  });
  let stderr = '';
  server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  try {
    await expect.poll(() => (server.exitCode === null ? answers(origin) : Promise.reject(new Error(`the server exited: ${stderr}`))), { message: 'the HTTPS server answers', timeout: 90_000 }).toBe(true);
    const certificate = path.join(home, 'data', 'tls', 'cert.pem');
    expect(existsSync(certificate), 'the server made its certificate').toBe(true);
    await onTrustingTablet(home, certificate, origin, launchOptions);
  } finally {
    server.kill('SIGTERM');
    if (server.exitCode === null) await once(server, 'exit');
    rmSync(home, { recursive: true, force: true });
    const sql = postgres(database.toString(), { max: 1, onnotice: () => {} });
    await sql`delete from process_heartbeats where instance like ${`${INSTANCE}:%`}`.finally(() => sql.end());
  }
});

/** The tablet: a Chromium whose home (it reads ~/.pki/nssdb) trusts the server's certificate as a server's (P,,). */
async function onTrustingTablet(home: string, certificate: string, origin: string, launchOptions: LaunchOptions) {
  const nssdb = path.join(home, '.pki', 'nssdb');
  mkdirSync(nssdb, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'P,,', '-n', 'myinventory-e2e', '-i', certificate]);

  const context = await chromium.launchPersistentContext(path.join(home, 'profile'), { ...launchOptions, env: { ...process.env, HOME: home }, baseURL: origin, ...TABLET });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // The login page (before anyone signs in) links the manifest too.
    await page.goto('/login');
    expect(await page.locator('link[rel="manifest"]').getAttribute('href')).toBe('/manifest.webmanifest');
    // Signed in through the form (the test's own HTTP client does not trust the certificate; only the tablet does).
    await loginWithForm(page, demoUsers.clerk.email, DEMO_PASSWORD);
    await expect(page.getByRole('banner').getByText(demoUsers.clerk.name)).toBeVisible();
    expect(await page.locator('link[rel="apple-touch-icon"]').getAttribute('href')).toBe('/icons/apple-touch-icon.png');
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { message: 'the service worker controls the page', timeout: 30_000 }).toBe(true);

    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.errors).toEqual([]);
    const parsed = JSON.parse(manifest.data ?? '{}') as { short_name: string; lang: string; display: string; icons: { sizes: string; purpose: string }[] };
    expect(parsed).toMatchObject({ short_name: 'MyInventory', lang: 'pt-BR', display: 'standalone' });
    expect(parsed.icons.map((i) => `${i.sizes} ${i.purpose}`).sort()).toEqual(['192x192 any', '192x192 maskable', '512x512 any', '512x512 maskable']);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);

    const icons = await page.evaluate(async (urls) => Promise.all(urls.map(async (url) => {
      const response = await fetch(url);
      return `${url} ${response.status} ${response.headers.get('content-type')}`;
    })), ['/icons/icon-192.png', '/icons/icon-512.png', '/icons/icon-maskable-512.png', '/icons/apple-touch-icon.png']);
    expect(icons).toEqual(['/icons/icon-192.png 200 image/png', '/icons/icon-512.png 200 image/png', '/icons/icon-maskable-512.png 200 image/png', '/icons/apple-touch-icon.png 200 image/png']);
  } finally {
    await context.close();
  }
}
