import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export type WorkerProcess = ChildProcess & { /** What the process wrote to stderr so far (the last 8 KB), for a failing test's message. */ stderrTail: () => string };

/** `npm run workers` as a real child process (killable with SIGKILL), on the test's database and Redis prefix. */
export function spawnWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('workers/main.ts')], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-8192);
  });
  return Object.assign(child, { stderrTail: () => tail });
}
