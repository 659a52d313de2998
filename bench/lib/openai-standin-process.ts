/**
 * The OpenAI stand-in (tests/helpers/openai-standin.ts) in its own process, as OpenAI is its own service: in the
 * benchmark's process its answers would wait behind the benchmark's own work and that wait would count as
 * latency. By default it answers like the real service, in ~800 ms (`--delay-ms=` to change that).
 * IPC: sends `{ url }` once listening; answers each command (OpenAICommand, with an optional `id` it echoes)
 * with `{ id, ok: true }`, or `{ id, stats }` for 'stats'. Exits when the parent disconnects.
 * `startOpenAIStandInProcess()` is the parent's side.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type OpenAIFailKind, startOpenAIStandIn, type Verdict } from '../../tests/helpers/openai-standin';

export type OpenAICommand =
  | { cmd: 'fail'; kind: OpenAIFailKind; count?: number; retryAfter?: number; contentType?: string }
  | { cmd: 'recover' }
  | { cmd: 'setDelay'; ms: number }
  | { cmd: 'setVerdict'; verdict: Partial<Verdict> }
  | { cmd: 'stats' };
export type OpenAIStats = { calls: number; callTimes: number[] };
type Reply = { id?: number; ok?: true; stats?: OpenAIStats; error?: string };

/** Starts the stand-in in a child process; `args` as on its command line (e.g. `['--delay-ms=0']`). */
export async function startOpenAIStandInProcess(args: string[] = []) {
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
  const send = (command: OpenAICommand) =>
    new Promise<Reply>((resolve, reject) => {
      const id = ++ids;
      waiting.set(id, { resolve, reject });
      child.send({ ...command, id });
    });
  return {
    url: ready.url,
    pid: child.pid!,
    /** Resolves once the child has applied the command. */
    command: (command: Exclude<OpenAICommand, { cmd: 'stats' }>) => send(command).then(() => undefined),
    stats: async () => (await send({ cmd: 'stats' })).stats!,
    async close() {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const { values } = parseArgs({ options: { 'delay-ms': { type: 'string' } } });
  const ai = await startOpenAIStandIn({ delayMs: Number(values['delay-ms'] ?? 800) });
  process.on('message', (message: OpenAICommand & { id?: number }) => {
    const reply = (answer: Omit<Reply, 'id'>) => process.send!({ id: message.id, ...answer });
    switch (message.cmd) {
      case 'fail':
        ai.fail(message.kind, { count: message.count, retryAfter: message.retryAfter, contentType: message.contentType });
        break;
      case 'recover':
        ai.recover();
        break;
      case 'setDelay':
        ai.setDelay(message.ms);
        break;
      case 'setVerdict':
        ai.setVerdict(message.verdict);
        break;
      case 'stats':
        return reply({ stats: { calls: ai.calls, callTimes: ai.callTimes } });
      default:
        return reply({ error: `unknown command ${JSON.stringify(message)}` });
    }
    reply({ ok: true });
  });
  process.on('disconnect', () => void ai.close().then(() => process.exit(0)));
  process.send({ url: ai.url });
}
