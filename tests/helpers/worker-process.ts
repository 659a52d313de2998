import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** `npm run workers` as a real child process (killable with SIGKILL), on the test's database and Redis prefix. */
export function spawnWorkerProcess(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.resolve('workers/main.ts')], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', ...env },
    stdio: 'ignore',
  });
}
