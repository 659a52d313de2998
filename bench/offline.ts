/**
 * `npm run bench:offline`: the tablet path in headless Chromium against the production build — 10,000 scans
 * through the same code path as the scan field (window.__offlineCounter.scan, what Enter in the field calls),
 * with the network off; then back online and timed until every scan is synced. Writes bench/results/offline.json.
 *
 * The hooks exist only in a build made with NEXT_PUBLIC_BENCH_HOOKS=1. Unless .next already holds such a build
 * (the marker .next/BENCH_HOOKS names its BUILD_ID), this runs `NEXT_PUBLIC_BENCH_HOOKS=1 npm run build` into the
 * default .next first; run `npm run build` afterwards to get a production build without them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { chromium, request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import { buildServiceWorker, serviceWorkerIsStale } from '../scripts/build-sw';
import { startBenchServer } from './lib/app-server';
import { percentile, round } from './lib/stats';

const SCANS = Number(process.env.BENCH_SCANS ?? 10_000);
/**
 * BENCH_SCAN_INTERVAL_MS: a scan starts every so many ms (or as soon as the previous one is stored, if later).
 * The default, 0, sends each scan the moment the previous one is stored (about 300 a second here): the
 * screen's work for one scan then always overlaps the next scan's write, the hardest case. 50 (20 scans a
 * second, several times what a clerk with a keyboard-wedge scanner reaches) shows a clerk's pace.
 */
const INTERVAL_MS = Number(process.env.BENCH_SCAN_INTERVAL_MS ?? 0);
const PORT = 3500;
const BASE = `http://127.0.0.1:${PORT}`;
const DATABASE = 'mi_bench_offline';
const log = (m: string) => process.stderr.write(`${m}\n`);

async function trpc<T>(api: APIRequestContext, procedure: string, input: unknown, method: 'GET' | 'POST'): Promise<T> {
  const response =
    method === 'GET'
      ? await api.get(`/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`)
      : await api.post(`/api/trpc/${procedure}`, { data: { json: input } });
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!response.ok() || !body.result) throw new Error(`${procedure}: ${response.status()} ${JSON.stringify(body.error)}`);
  return body.result.data.json;
}

async function signedIn(email: string) {
  const api = await playwrightRequest.newContext({ baseURL: BASE });
  await trpc(api, 'auth.login', { email, password: 'demo1234' }, 'POST');
  return api;
}

const BENCH_MARKER = '.next/BENCH_HOOKS';
const buildId = () => (existsSync('.next/BUILD_ID') ? readFileSync('.next/BUILD_ID', 'utf8') : null);
if (buildId() === null || !existsSync(BENCH_MARKER) || readFileSync(BENCH_MARKER, 'utf8') !== buildId()) {
  log('building with NEXT_PUBLIC_BENCH_HOOKS=1 (the bench hooks are left out of other builds)');
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit', env: { ...process.env, NEXT_PUBLIC_BENCH_HOOKS: '1' } });
  writeFileSync(BENCH_MARKER, buildId()!);
}
if (serviceWorkerIsStale()) await buildServiceWorker();
const app = await startBenchServer({ port: PORT, database: DATABASE, name: 'offline' });
try {
  const manager = await signedIn('gerente@demo.test');
  const managerMe = await trpc<{ user: { id: string }; stores: { id: string; name: string }[] }>(manager, 'auth.me', undefined, 'GET');
  const clerkApi = await signedIn('caixa@demo.test');
  const clerkMe = await trpc<{ user: { id: string }; stores: { id: string }[] }>(clerkApi, 'auth.me', undefined, 'GET');
  const storeId = clerkMe.stores[0]!.id;
  if (!managerMe.stores.some((s) => s.id === storeId)) throw new Error('the demo manager does not work at the clerk’s store');
  const session = await trpc<{ id: string }>(manager, 'inventory.open', { storeId, assignments: [{ userId: clerkMe.user.id }] }, 'POST');
  const products = await trpc<{ items: { ean: string }[] }>(clerkApi, 'inventory.productsForStore', { storeId, limit: 1000 }, 'GET');
  const eans = products.items.map((p) => p.ean).filter((e) => /^\d{13}$/.test(e) && !e.startsWith('2'));

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  await trpc(page.request, 'auth.login', { email: 'caixa@demo.test', password: 'demo1234' }, 'POST');
  await page.goto(`/inventory/${session.id}/count`);
  await page.getByLabel('Código de barras').waitFor();
  await page.waitForFunction(() => Boolean(window.__offlineCounter));
  await page.getByTestId('network-status').filter({ hasText: 'Online' }).waitFor();
  await page.waitForTimeout(1000); // the product table download

  log(`${SCANS} scans with the network off, one every ${INTERVAL_MS} ms at most…`);
  await context.setOffline(true);
  // BENCH_CPU_PROFILE=file.cpuprofile: the page's main thread during the scans, for Chrome DevTools.
  const profiler = process.env.BENCH_CPU_PROFILE ? await context.newCDPSession(page) : null;
  if (profiler) {
    await profiler.send('Profiler.enable');
    await profiler.send('Profiler.start');
  }
  const scanned = await page.evaluate(
    async ({ eans, scans, intervalMs }) => {
      const counter = window.__offlineCounter!;
      // (No named functions in here: tsx would wrap them in a helper the page does not have.)
      // Blocks of 250 scans alternate with blocks of 250 baseline writes (after the screen settled), so both
      // see the same machine at about the same moments.
      const baselineMs: number[] = [];
      let appMs = 0;
      for (let block = 0; block * 250 < scans; block++) {
        const started = performance.now();
        for (let i = block * 250; i < Math.min(scans, (block + 1) * 250); i++) {
          const wait = started + (i % 250) * intervalMs - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          await counter.scan(eans[i % eans.length]!);
        }
        appMs += performance.now() - started;
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))); // the screen settles
        const baselineStarted = performance.now();
        for (let i = 0; i < 250; i++) {
          const wait = baselineStarted + i * intervalMs - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          baselineMs.push(await counter.baselinePersist(eans[i % eans.length]!));
        }
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))); // the screen settles
      }
      return { ms: appMs, persistMs: [...counter.persistMs], baselineMs, pending: await counter.pending() };
    },
    { eans, scans: SCANS, intervalMs: INTERVAL_MS },
  );
  log(`scanned in ${round(scanned.ms / 1000, 1)} s; pending ${scanned.pending}`);
  if (profiler) {
    const { profile } = await profiler.send('Profiler.stop');
    await writeFile(process.env.BENCH_CPU_PROFILE!, JSON.stringify(profile));
  }

  log('back online, syncing…');
  const syncStarted = Date.now();
  await context.setOffline(false);
  await page.evaluate(async () => {
    const counter = window.__offlineCounter!;
    for (let i = 0; i < 600 && (await counter.pending()) > 0; i++) {
      await counter.flush();
      if ((await counter.pending()) > 0) await new Promise((r) => setTimeout(r, 100));
    }
  });
  const syncSeconds = (Date.now() - syncStarted) / 1000;
  const progress = await trpc<{ totals: { entries: number } }>(manager, 'inventory.progress', { sessionId: session.id }, 'GET');
  await browser.close();

  const persist = scanned.persistMs.slice(-SCANS);
  const serverCount = progress.totals.entries;
  const result = {
    scans: SCANS,
    scanIntervalMs: INTERVAL_MS,
    persistP50Ms: percentile(persist, 50),
    persistP99Ms: percentile(persist, 99),
    // The same IndexedDB write with no screen to update: what this machine's disk and browser cost by themselves.
    baseline: { persistP50Ms: percentile(scanned.baselineMs, 50), persistP99Ms: percentile(scanned.baselineMs, 99) },
    scanLoopSeconds: round(scanned.ms / 1000, 2),
    syncSeconds: round(syncSeconds, 2),
    serverCount,
    duplicates: Math.max(0, serverCount - SCANS),
    lost: Math.max(0, SCANS - serverCount),
    generatedAt: new Date().toISOString(),
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile(process.env.BENCH_OUT ?? 'bench/results/offline.json', `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await app.stop();
}
