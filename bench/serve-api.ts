// First: tracing, when configured, patches modules the others load (src/server/telemetry/register-app.ts).
import '~/server/telemetry/register-app';
import { AsyncLocalStorage } from 'node:async_hooks';
import { env } from '~/env';
import { startDashboardRefresher } from '~/server/dashboard/refresh';
import { createAppServer } from '~/server/http/server';
import { logger } from '~/server/logger';
import { tuneHeapGrowth } from '~/server/runtime/heap';
import { lowerPriority } from '~/server/runtime/priority';
import { createServices } from '~/server/services';
import { createBenchRouter } from './dashboard/router';
import { startHeapSampling } from './lib/heap-sampling';

/**
 * The API half of `npm start` (no Next.js pages) for benchmarks: same server, same middleware chain, plus the
 * bench-only procedures (bench/dashboard/router.ts).
 */
if (!env.DATABASE_URL) throw new Error('bench/serve-api.ts needs DATABASE_URL');
// As src/server/main.ts does.
tuneHeapGrowth(env.HEAP_GROWING_PERCENT);
// BENCH_SERVER_NICE: this instance at a lower CPU priority, every thread (an instance of its own for photo uploads).
if (process.env.BENCH_SERVER_NICE) lowerPriority(Number(process.env.BENCH_SERVER_NICE));
// BENCH_AS_APP_SERVER=1: the process as `npm start`'s is once Next.js has rendered a page. Next runs every render in
// AsyncLocalStorage stores (app-render's workAsyncStorage.run…), and Node 20 then keeps its promise hooks on for the
// life of the process: every promise of every later API request pays them, traced or not. Entering a store once
// here does the same to this process.
if (process.env.BENCH_AS_APP_SERVER === '1') new AsyncLocalStorage<object>().run({}, () => {});
// BENCH_HEAP_SAMPLING=<file>: where this server allocates (sampled, objects collected since included), written there at
// SIGTERM as a .heapprofile (Chrome DevTools' Memory tab opens it).
const heapSampling = process.env.BENCH_HEAP_SAMPLING ? await startHeapSampling(process.env.BENCH_HEAP_SAMPLING) : null;
const services = createServices(env, { logger, databaseUrl: env.DATABASE_URL });
const refresher = startDashboardRefresher(services);
const app = createAppServer({ services, router: createBenchRouter(services) });
await app.listen(env.PORT, env.HOST);
process.on('SIGTERM', async () => {
  refresher.stop();
  await app.shutdown(2000);
  await services.close();
  await heapSampling?.stop();
  process.exit(0);
});
