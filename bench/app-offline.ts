/**
 * `npm run bench:app-offline`: the whole app offline on the tablet (issue 21's figures), in headless Chromium with a
 * profile on disk against the production build (`npm run build` first) and the demo data (scale 1).
 *  - the kept cache: the clerk opens the screens of a day (home, requests, a request, catalogue, counting, stock,
 *    receiving, compliance); how many answers IndexedDB keeps for them and its size;
 *  - first useful paint offline: Chromium restarted with the network off, from navigation to the request list showing
 *    its rows (service worker page + kept answers), against the same measured online (server and network), each
 *    BENCH_RUNS times, alternating.
 * Writes bench/results/app-offline.json.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { buildServiceWorker, serviceWorkerIsStale } from '../scripts/build-sw';
import { startBenchServer } from './lib/app-server';
import { percentile, round } from './lib/stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PORT = 3510;
const BASE = `http://127.0.0.1:${PORT}`;
const DATABASE = 'mi_bench_app_offline';
const TABLET = { viewport: { width: 768, height: 1024 }, hasTouch: true };
const log = (m: string) => process.stderr.write(`${m}\n`);

if (!existsSync('.next/BUILD_ID')) throw new Error('No production build: run `npm run build` first');
if (serviceWorkerIsStale()) await buildServiceWorker();

const app = await startBenchServer({ port: PORT, database: DATABASE, name: 'app-offline', env: { RATE_LIMIT_LOGIN_PER_MINUTE: '1000' } });

/** The kept cache as IndexedDB holds it for the signed-in user. */
const keptCache = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ answers: number; bytes: number; procedures: string[] }>((resolve, reject) => {
        const open = indexedDB.open('myinventory-queries');
        open.onerror = () => reject(new Error('no kept cache'));
        open.onsuccess = () => {
          const all = open.result.transaction('clients').objectStore('clients').getAll();
          all.onsuccess = () => {
            const row = (all.result as { client: { clientState: { queries: { queryKey: unknown[] }[] } } }[])[0];
            if (!row) return resolve({ answers: 0, bytes: 0, procedures: [] });
            const procedures = [...new Set(row.client.clientState.queries.map((q) => (q.queryKey[0] as string[]).join('.')))].sort();
            resolve({ answers: row.client.clientState.queries.length, bytes: new Blob([JSON.stringify(row.client)]).size, procedures });
          };
        };
      }),
  );

const launch = (dir: string, offline: boolean) =>
  chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    baseURL: BASE,
    locale: 'pt-BR',
    timezoneId: 'America/Sao_Paulo',
    ...TABLET,
    offline,
  });

/** From navigation to the request list showing rows (the first row's link). */
async function timeToRequestList(context: BrowserContext): Promise<number> {
  const page = await context.newPage();
  const started = performance.now();
  await page.goto('/purchase-requests', { waitUntil: 'commit' });
  await page.locator('a.row-link').first().waitFor({ timeout: 30_000 });
  const ms = performance.now() - started;
  await page.close();
  return ms;
}

const profile = await mkdtemp(path.join(tmpdir(), 'mi-bench-app-offline-'));
try {

  // A clerk's day online: every screen they use, once.
  let context = await launch(profile, false);
  const page = context.pages()[0] ?? (await context.newPage());
  const login = await page.request.post('/api/trpc/auth.login', { data: { json: { email: 'caixa@demo.test', password: 'demo1234' } } });
  if (!login.ok()) throw new Error(`login: ${login.status()}`);
  await page.goto('/');
  await page.getByRole('banner').getByText('Camila Caixa').waitFor();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  for (const screen of ['/purchase-requests', '/catalogue', '/inventory', '/stock', '/receiving', '/compliance', '/']) {
    await page.goto(screen);
    await page.locator('main h1').first().waitFor();
    await page.waitForLoadState('networkidle');
  }
  await page.goto('/purchase-requests');
  await page.locator('a.row-link').first().click();
  await page.waitForURL(/\/purchase-requests\/[0-9a-f-]{36}/);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(1000);
  const kept = await keptCache(page);
  log(`kept: ${kept.answers} answers, ${Math.round(kept.bytes / 1024)} KiB`);
  await context.close();

  const offline: number[] = [];
  const online: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    for (const mode of run % 2 === 0 ? (['offline', 'online'] as const) : (['online', 'offline'] as const)) {
      context = await launch(profile, mode === 'offline');
      (mode === 'offline' ? offline : online).push(await timeToRequestList(context));
      await context.close();
    }
  }

  const result = {
    generatedAt: new Date().toISOString(),
    command: 'npm run build && npm run bench:app-offline',
    machine: '2 cores; Chromium, the server, PostgreSQL and Redis on the same box',
    scale: 1,
    keptCache: { answers: kept.answers, kib: round(kept.bytes / 1024, 1), procedures: kept.procedures },
    firstUsefulPaint: {
      what: 'navigation to /purchase-requests until its first row shows, in a Chromium restarted on the same profile',
      runs: RUNS,
      offlineP50Ms: round(percentile(offline, 50), 0),
      offlineMaxMs: round(Math.max(...offline), 0),
      onlineP50Ms: round(percentile(online, 50), 0),
      onlineMaxMs: round(Math.max(...online), 0),
      offlineOverOnline: round(percentile(offline, 50) / percentile(online, 50), 2),
    },
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/app-offline.json', `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await app.stop();
  await rm(profile, { recursive: true, force: true });
}
