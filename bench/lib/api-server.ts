import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

/**
 * Starts our production API server (src/server/http, no Next pages) in its own process, so the load generator
 * never shares its event loop. Resolves once /api/health answers.
 */
export async function startApiServer(opts: { port: number; env: Record<string, string> }): Promise<{ url: string; stop: () => Promise<void>; child: ChildProcess }> {
  // BENCH_CPU_PROF_DIR: a V8 CPU profile of the server, written there when it stops (what a benchmark spends on).
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  // BENCH_SERVER_NODE_FLAGS: more flags for the server's node only (e.g. `--trace-gc` to see its pauses).
  profile.push(...(process.env.BENCH_SERVER_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []));
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.resolve('bench/serve-api.ts')], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: String(opts.port), HOST: '127.0.0.1', ...opts.env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${opts.port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`API server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
