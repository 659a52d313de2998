import { Pool } from 'undici';
import { percentile, round } from './stats';

export type SteadyResult = { p50Ms: number; p95Ms: number; p99Ms: number; rps: number; requests: number; errors: number; timeouts: number; non2xx: number };

/**
 * Open-loop load: requests start at evenly spaced instants whatever the answers do, over a pool of keep-alive
 * connections. Latency counts from the scheduled instant, so a slow server cannot hide its queue (no
 * coordinated omission). autocannon's overallRate fires in bursts; this does not.
 */
export async function steadyLoad(opts: { url: string; path: string; headers: Record<string, string>; rate: number; durationSeconds: number; connections: number; timeoutMs?: number }): Promise<SteadyResult> {
  const pool = new Pool(opts.url, { connections: opts.connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: opts.timeoutMs ?? 10_000, bodyTimeout: opts.timeoutMs ?? 10_000 });
  const total = Math.round(opts.rate * opts.durationSeconds);
  const intervalMs = 1000 / opts.rate;
  const latencies: number[] = [];
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = started + i * intervalMs;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      pool
        .request({ path: opts.path, method: 'GET', headers: opts.headers })
        .then(async (res) => {
          await res.body.dump();
          if (res.statusCode < 200 || res.statusCode >= 300) non2xx++;
          latencies.push(performance.now() - scheduled);
        })
        .catch((error: { code?: string }) => {
          if (error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_BODY_TIMEOUT') timeouts++;
          else errors++;
        }),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return { p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), p99Ms: percentile(latencies, 99), rps: round(latencies.length / elapsed, 1), requests: total, errors, timeouts, non2xx };
}
