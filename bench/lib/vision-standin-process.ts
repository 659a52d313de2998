/**
 * The Google Vision stand-in (tests/helpers/vision-standin.ts) in its own process, as Google is another machine: in
 * the benchmark's process its answers would wait behind the benchmark's own work. `nice` lowers its CPU priority, every
 * thread's (bench:compliance runs it at 19: at 0 its JSON and base64 work took the cores the worker needed). Answers
 * every image with a shelf and the price R$ 9,99 after `--delay-ms` (default 300). IPC: sends `{ url, keyFile }` once
 * listening; exits when the parent disconnects.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lowerPriority } from '../../src/server/runtime/priority';
import { writeServiceAccountKey } from '../../tests/helpers/service-account';
import { startVisionStandIn } from '../../tests/helpers/vision-standin';

export async function startVisionStandInProcess(delayMs: number, nice = 0) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--delay-ms=${delayMs}`, `--nice=${nice}`], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const [ready] = (await once(child, 'message')) as [{ url: string; keyFile: string }];
  return {
    url: ready.url,
    /** GOOGLE_APPLICATION_CREDENTIALS for the client: a key the stand-in trusts, removed when it stops. */
    keyFile: ready.keyFile,
    async close() {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'delay-ms': { type: 'string', default: '300' }, nice: { type: 'string', default: '0' } } });
  lowerPriority(Number(values.nice));
  const account = writeServiceAccountKey({ name: 'bench-vision' });
  const vision = await startVisionStandIn({ trust: { publicKey: account.publicKey, clientEmail: account.clientEmail } });
  vision.setDelay(Number(values['delay-ms']));
  vision.script(() => ({ labels: [{ description: 'Shelf', score: 0.93 }, { description: 'Price tag', score: 0.8 }], text: 'Achocolatado 400g\nOFERTA R$ 9,99' }));
  process.send!({ url: vision.url, keyFile: account.path });
  process.on('disconnect', () => {
    void vision.close().finally(() => {
      account.remove();
      process.exit(0);
    });
  });
}
