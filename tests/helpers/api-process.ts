import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

/** The API server (tests/helpers/serve-api.ts) in a child process on `port`, with its resident memory readable. */
export async function startApiProcess(opts: { port: number; env: Record<string, string> }) {
  const child: ChildProcess = fork(path.resolve('tests/helpers/serve-api.ts'), {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'silent', PORT: String(opts.port), HOST: '127.0.0.1', ...opts.env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  // tsx talks over the same channel: wait for our own word.
  await new Promise<void>((resolve, reject) => {
    child.on('message', (message) => message === 'listening' && resolve());
    child.once('exit', (code) => reject(new Error(`the API process exited (${code}) before listening`)));
  });
  return {
    url: `http://127.0.0.1:${opts.port}`,
    /** Collects garbage in the child, then reads its resident memory (MB). */
    settledRssMb: () =>
      new Promise<number>((resolve) => {
        const answer = (message: unknown) => {
          if (typeof message !== 'object' || message === null || !('rssMb' in message)) return;
          child.off('message', answer);
          resolve(Number((message as { rssMb: number }).rssMb));
        };
        child.on('message', answer);
        child.send('rss');
      }),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
