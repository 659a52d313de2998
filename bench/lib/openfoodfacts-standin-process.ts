/**
 * The Open Food Facts stand-in (tests/helpers/openfoodfacts-standin.ts) in its own process, as OFF is its own
 * service: in the benchmark's process its answers would wait behind the benchmark's own work and that wait would
 * count as latency. By default it answers like the real service: API ~150 ms, images ~200 ms, every 13-digit code
 * found (`--delay-ms=`, `--image-delay-ms=`, `--slow-image-ms=`, `--every-ean-found=false` to change that).
 * IPC: sends `{ url }` once listening; answers each command (OffCommand, with an optional `id` it echoes) with
 * `{ id, ok: true }`, or `{ id, stats }` for 'stats'. Exits when the parent disconnects.
 * `startOpenFoodFactsStandInProcess()` is the parent's side.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type OffFailKind, type OffProduct, startOpenFoodFactsStandIn } from '../../tests/helpers/openfoodfacts-standin';

export type OffCommand =
  | { cmd: 'fail'; kind: OffFailKind; count?: number; on?: 'api' | 'images'; retryAfter?: number }
  | { cmd: 'recover' }
  | { cmd: 'setDelay'; ms: number }
  | { cmd: 'setImageDelay'; ms: number }
  | { cmd: 'setSlowImageDelay'; ms: number }
  | { cmd: 'addProduct'; ean: string; product: OffProduct }
  | { cmd: 'stats' };
export type OffStats = { apiCalls: number; imageCalls: number; userAgents: string[]; apiCallTimes: number[]; imageCallTimes: number[] };
type Reply = { id?: number; ok?: true; stats?: OffStats; error?: string };

/** Starts the stand-in in a child process; `args` as on its command line (e.g. `['--delay-ms=0']`). */
export async function startOpenFoodFactsStandInProcess(args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const [ready] = (await once(child, 'message')) as [{ url: string }];
  // Commands carry ids, so that each answer finds its caller.
  let ids = 0;
  const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (e: Error) => void }>();
  child.on('message', (reply: Reply) => {
    const caller = waiting.get(reply.id ?? -1);
    waiting.delete(reply.id ?? -1);
    if (reply.error) caller?.reject(new Error(reply.error));
    else caller?.resolve(reply);
  });
  const send = (command: OffCommand) =>
    new Promise<Reply>((resolve, reject) => {
      const id = ++ids;
      waiting.set(id, { resolve, reject });
      child.send({ ...command, id });
    });
  return {
    url: ready.url,
    pid: child.pid!,
    /** Resolves once the child has applied the command. */
    command: (command: Exclude<OffCommand, { cmd: 'stats' }>) => send(command).then(() => undefined),
    stats: async () => (await send({ cmd: 'stats' })).stats!,
    async close() {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const { values } = parseArgs({ options: { 'delay-ms': { type: 'string' }, 'image-delay-ms': { type: 'string' }, 'slow-image-ms': { type: 'string' }, 'every-ean-found': { type: 'string' } } });
  const off = await startOpenFoodFactsStandIn({
    delayMs: Number(values['delay-ms'] ?? 150),
    imageDelayMs: Number(values['image-delay-ms'] ?? 200),
    slowImageMs: Number(values['slow-image-ms'] ?? 5000),
    everyEanFound: values['every-ean-found'] !== 'false',
  });
  process.on('message', (message: OffCommand & { id?: number }) => {
    const reply = (answer: Omit<Reply, 'id'>) => process.send!({ id: message.id, ...answer });
    try {
      switch (message.cmd) {
        case 'fail':
          off.fail(message.kind, { count: message.count, on: message.on, retryAfter: message.retryAfter });
          break;
        case 'recover':
          off.recover();
          break;
        case 'setDelay':
          off.setDelay(message.ms);
          break;
        case 'setImageDelay':
          off.setImageDelay(message.ms);
          break;
        case 'setSlowImageDelay':
          off.setSlowImageDelay(message.ms);
          break;
        case 'addProduct':
          off.addProduct(message.ean, message.product);
          break;
        case 'stats':
          return reply({ stats: { apiCalls: off.apiCalls, imageCalls: off.imageCalls, userAgents: off.userAgents, apiCallTimes: off.apiCallTimes, imageCallTimes: off.imageCallTimes } });
        default:
          return reply({ error: `unknown command ${JSON.stringify(message)}` });
      }
      reply({ ok: true });
    } catch (e) {
      reply({ error: (e as Error).message });
    }
  });
  process.on('disconnect', () => void off.close().then(() => process.exit(0)));
  process.send({ url: off.url });
}
