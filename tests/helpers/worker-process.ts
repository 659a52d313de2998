import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export type WorkerProcess = ChildProcess & {
  /** What the process wrote to stderr so far (the last 8 KB), for a failing test's message. */
  stderrTail: () => string;
  /** Its JSON log lines on stdout so far (with `logs: true`; otherwise none). */
  logLines: () => Record<string, unknown>[];
};

/** `npm run workers` as a real child process (killable with SIGKILL), on the test's database and Redis prefix. */
export function spawnWorkerProcess(env: Record<string, string>, opts: { logs?: boolean } = {}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('workers/main.ts')], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', ...env },
    stdio: ['ignore', opts.logs ? 'pipe' : 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-8192);
  });
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  return Object.assign(child, { stderrTail: () => tail, logLines: () => lines });
}
