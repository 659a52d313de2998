import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type LaunchOptions, type Page } from '@playwright/test';
import postgres from 'postgres';
import { trpcMutation } from './fixtures/api';
import { DEMO_PASSWORD, demoUsers, expect, loginWithForm, test } from './fixtures/auth';
import { apiLogin, openCounting, openSession, pendingCount, progressOf, scan, signedInContext, storeProducts, TABLET, waitForOfflineReady } from './fixtures/inventory';
import { freePort } from '../tests/helpers/free-port';

const INSTANCE = 'e2e-local-https';

/** The server's certificate (DATA_DIR/tls/server.pem holds it with its key). */
const serverCertificateOf = (dataDir: string) => /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(readFileSync(path.join(dataDir, 'tls', 'server.pem'), 'utf8'))![0];

/** The demo clerk's id, read through the e2e server's API. */
async function clerkId(browser: Browser): Promise<string> {
  const context = await browser.newContext();
  try {
    return (await apiLogin(context.request, demoUsers.clerk.email)).user.id;
  } finally {
    await context.close();
  }
}

/** Past Chromium's certificate warning the way a person does: "Avançado", then "Ir para … (não seguro)". */
async function clickThroughWarning(page: Page, url: string) {
  await expect(page.goto(url)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
  await page.locator('#details-button').click();
  await page.locator('#proceed-link').click();
}

/** The machine's address on its network, as a tablet in the store reaches the back-office PC (never loopback). */
function lanAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && a.family === 'IPv4')?.address;
  if (!address) throw new Error('this test needs a network address besides loopback (a tablet never reaches the server at 127.0.0.1)');
  return address;
}

/**
 * HTTPS in the store (README "HTTPS in the store"): a second instance of the real server on the e2e database,
 * listening on every address with HTTPS_LOCAL_CA, which makes the store's certificate authority under DATA_DIR/tls on
 * first start and a server certificate it signs for the machine's names and addresses. The tablets are Chromium
 * profiles reaching it by the machine's LAN address: one trusts the authority the way a person installs it (in the
 * profile's NSS database, with certutil, as Chromium on Linux reads it; no flag that ignores certificate errors),
 * one does not.
 */
test.describe.serial("HTTPS in the store with the store's own certificate authority", () => {
  const home = mkdtempSync(path.join(tmpdir(), 'mi-e2e-https-'));
  const dataDir = path.join(home, 'data');
  const lan = lanAddress();
  let port = 0;
  let origin = '';
  let server: ChildProcess | null = null;
  let stderr = '';
  const database = new URL(process.env.E2E_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  database.pathname = `/${process.env.E2E_DATABASE ?? 'mi_e2e'}`;
  const authorityPem = () => readFileSync(path.join(dataDir, 'tls', 'ca.pem'), 'utf8');

  async function startServer(extraEnv: Record<string, string> = {}) {
    stderr = '';
    const child = spawn('node_modules/.bin/tsx', ['src/server/main.ts'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: database.toString(),
        // No Redis: this instance keeps its cache and limits in process (the e2e server's keys stay its own).
        REDIS_URL: '',
        PORT: String(port),
        HOST: '0.0.0.0',
        HTTPS_LOCAL_CA: 'true',
        DATA_DIR: dataDir,
        DEMO_SEED: 'false',
        WORKERS_IN_PROCESS: 'false',
        RATE_LIMIT_LOGIN_PER_MINUTE: '100',
        LOG_LEVEL: 'warn',
        // Its heartbeat row is removed afterwards: the operator's page lists the e2e server alone.
        INSTANCE_NAME: INSTANCE,
        ...extraEnv,
      },
    });
    server = child;
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    // Health checks answer over plain HTTP on the same port (this process need not trust anything).
    const up = async () => {
      if (child.exitCode !== null) throw new Error(`the server exited: ${stderr}`);
      return fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
    };
    await expect.poll(up, { message: 'the HTTPS server answers', timeout: 90_000 }).toBe(true);
  }

  async function stopServer() {
    if (!server || server.exitCode !== null) return;
    server.kill('SIGTERM');
    await once(server, 'exit');
  }

  /** A tablet: a Chromium profile whose home (Chromium reads ~/.pki/nssdb) trusts the store's authority, or nothing. */
  async function launchTablet(name: string, launchOptions: LaunchOptions, trusts: boolean): Promise<BrowserContext> {
    const tabletHome = path.join(home, name);
    const nssdb = path.join(tabletHome, '.pki', 'nssdb');
    if (!existsSync(nssdb)) {
      mkdirSync(nssdb, { recursive: true });
      execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
    }
    if (trusts) execFileSync('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'myinventory-store-ca', '-i', path.join(dataDir, 'tls', 'ca.pem')]);
    return chromium.launchPersistentContext(path.join(tabletHome, 'profile'), { ...launchOptions, env: { ...process.env, HOME: tabletHome }, baseURL: origin, locale: 'pt-BR', ...TABLET });
  }

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    port = await freePort();
    origin = `https://${lan}:${port}`;
    await startServer();
    const authority = new X509Certificate(authorityPem());
    expect(authority.ca, 'the server made its own authority').toBe(true);
  });

  test.afterAll(async () => {
    await stopServer();
    rmSync(home, { recursive: true, force: true });
    const sql = postgres(database.toString(), { max: 1, onnotice: () => {} });
    await sql`delete from process_heartbeats where instance like ${`${INSTANCE}:%`}`.finally(() => sql.end());
  });

  test('a tablet that trusts the authority opens the app at the LAN address, installs it, and counts offline after a reload', async ({ browser, launchOptions }) => {
    test.setTimeout(150_000);
    const manager = await signedInContext(browser, demoUsers.manager.email);
    const centro = manager.me.stores.find((s) => s.name === 'Loja Centro')!;
    const products = await storeProducts(manager.page.request, centro.id, 2);
    const session = await openSession(manager.page.request, { storeId: centro.id, assignments: [{ userId: await clerkId(browser) }] });

    const tablet = await launchTablet('trusting', launchOptions, true);
    try {
      const page = tablet.pages()[0] ?? (await tablet.newPage());
      // The login page (before anyone signs in) links the manifest too.
      await page.goto('/login');
      expect(await page.locator('link[rel="manifest"]').getAttribute('href')).toBe('/manifest.webmanifest');
      // Signed in through the form (the test's own HTTP client does not trust the authority; only the tablet does).
      await loginWithForm(page, demoUsers.clerk.email, DEMO_PASSWORD);
      await expect(page.getByRole('banner').getByText(demoUsers.clerk.name)).toBeVisible();
      expect(await page.locator('link[rel="apple-touch-icon"]').getAttribute('href')).toBe('/icons/apple-touch-icon.png');
      await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { message: 'the service worker controls the page', timeout: 30_000 }).toBe(true);

      // Chromium itself says whether the app is installable (DevTools protocol) and reads its manifest.
      const cdp = await tablet.newCDPSession(page);
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

      // Counting, offline, across a reload: the page comes from the service worker, the scans from IndexedDB.
      await openCounting(page, session.id);
      await waitForOfflineReady(page);
      await expect(page.getByTestId('offline-unavailable')).toHaveCount(0);
      await tablet.setOffline(true);
      await expect(page.getByTestId('network-status')).toHaveText('Offline');
      for (const code of [products[0]!.ean, products[1]!.ean, products[0]!.ean]) await scan(page, code);
      await expect(pendingCount(page)).toHaveText('3');
      const reloaded = await page.reload();
      expect(reloaded?.fromServiceWorker(), 'the page comes from the service worker').toBe(true);
      await expect(page.getByLabel('Código de barras')).toBeEnabled();
      await expect(pendingCount(page)).toHaveText('3');
      await tablet.setOffline(false);
      await expect(pendingCount(page)).toHaveText('0', { timeout: 60_000 });
      expect((await progressOf(manager.page.request, session.id)).totals.entries).toBe(3);

      // The address typed again as plain HTTP: the install page finds this tablet trusts the store and goes on to the
      // secure address, where it was going.
      await page.goto(`http://${lan}:${port}/inventory`);
      await expect(page).toHaveURL(`${origin}/inventory`);
    } finally {
      await tablet.close();
      await trpcMutation(manager.page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' }).catch(() => {});
      await manager.context.close();
    }
  });

  test('a tablet that does not trust it is sent to the install page, and past a warning clicked through the counting screen says why it has no offline mode', async ({ browser, launchOptions }) => {
    test.setTimeout(120_000);
    const manager = await signedInContext(browser, demoUsers.manager.email);
    const centro = manager.me.stores.find((s) => s.name === 'Loja Centro')!;
    const session = await openSession(manager.page.request, { storeId: centro.id, assignments: [{ userId: await clerkId(browser) }] });
    const tablet = await launchTablet('untrusting', launchOptions, false);
    try {
      const page = tablet.pages()[0] ?? (await tablet.newPage());
      // The address as a person types it (plain HTTP, where browsers start for an address): the install page.
      await page.goto(`http://${lan}:${port}/inventory`);
      await expect(page).toHaveURL(`http://${lan}:${port}/instalar?para=%2Finventory`);
      await expect(page.getByRole('heading', { name: 'Instalar o MyInventory neste tablet' })).toBeVisible();
      await expect(page.getByRole('status')).toHaveText('Este aparelho ainda não confia no certificado da loja: siga os passos abaixo uma vez.');
      const fingerprint = new X509Certificate(authorityPem()).fingerprint256;
      await expect(page.getByTestId('ca-fingerprint')).toHaveText(fingerprint);
      await expect(page.getByRole('link', { name: 'Abrir o MyInventory (endereço seguro)' })).toHaveAttribute('href', `${origin}/`);
      await expect(page.getByRole('img', { name: `QR code do endereço seguro ${origin}/` })).toBeVisible();
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Baixar o certificado da loja' }).click();
      const file = await (await download).path();
      expect(new X509Certificate(readFileSync(file)).fingerprint256, 'the download is the authority the page shows').toBe(fingerprint);
      await page.screenshot({ path: 'test-results/local-https-install-page.png', fullPage: true });

      // A person who clicks through the warning gets the app, but the browser refuses its service worker: the
      // counting screen says so and links the install page, instead of working online-only without a word.
      await clickThroughWarning(page, `${origin}/login`);
      await loginWithForm(page, demoUsers.clerk.email, DEMO_PASSWORD);
      await expect(page.getByRole('banner').getByText(demoUsers.clerk.name)).toBeVisible();
      await openCounting(page, session.id);
      const notice = page.getByTestId('offline-unavailable');
      await expect(notice).toHaveAttribute('data-reason', 'refused');
      await expect(notice).toContainText('Sem modo offline neste tablet: só dá para contar com rede.');
      await expect(page.getByTestId('offline-ready')).toHaveAttribute('data-state', 'refused');
      await page.screenshot({ path: 'test-results/local-https-no-offline-mode.png' });
      await notice.getByRole('link', { name: 'Como instalar o certificado da loja neste tablet' }).click();
      await expect(page.getByRole('heading', { name: 'Instalar o MyInventory neste tablet' })).toBeVisible();
    } finally {
      await tablet.close();
      await trpcMutation(manager.page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' }).catch(() => {});
      await manager.context.close();
    }
  });

  test('a restart with a new name keeps the authority and reissues only the server certificate: the trusting tablet opens the app with no warning', async ({ launchOptions }) => {
    test.setTimeout(120_000);
    const authority = authorityPem();
    const serverCertificate = serverCertificateOf(dataDir);
    await stopServer();
    // The machine now also answers to a name (as after an address change: a name the certificate lacks).
    await startServer({ HTTPS_HOSTNAMES: 'estoque.local' });
    expect(authorityPem(), 'the same authority').toBe(authority);
    const reissued = serverCertificateOf(dataDir);
    expect(reissued, 'a new server certificate').not.toBe(serverCertificate);
    expect(new X509Certificate(reissued).subjectAltName).toContain('DNS:estoque.local');

    // The first test's tablet: its profile has trusted the authority since then, and nothing is added now.
    const tablet = await launchTablet('trusting', launchOptions, false);
    try {
      const page = tablet.pages()[0] ?? (await tablet.newPage());
      const response = await page.goto('/login');
      // No certificate error: the navigation itself would have failed (ERR_CERT_AUTHORITY_INVALID, as in the test before).
      expect(response?.ok()).toBe(true);

      // The admin's system page shows the same authority, the certificates' ends and the QR codes tablets scan.
      await loginWithForm(page, demoUsers.admin.email, DEMO_PASSWORD);
      await expect(page.getByRole('banner').getByText(demoUsers.admin.name)).toBeVisible();
      await page.goto('/admin/system');
      const section = page.getByRole('region', { name: 'Certificado da loja (HTTPS local)' });
      await expect(section.getByTestId('ca-fingerprint')).toHaveText(new X509Certificate(authority).fingerprint256);
      await expect(section).toContainText('estoque.local');
      await expect(page.getByRole('img', { name: new RegExp(`^QR code da página de instalação http://.+:${port}/instalar$`) })).toBeVisible();
      await expect(page.getByRole('img', { name: new RegExp(`^QR code do endereço seguro https://.+:${port}/$`) })).toBeVisible();
      await section.screenshot({ path: 'test-results/local-https-admin-system.png' });
    } finally {
      await tablet.close();
    }
  });
});
