import type { Requester, UpstashRequest, UpstashResponse } from '@upstash/redis';
import type { Redis as IORedis } from 'ioredis';
import { SpanStatusCode, startClientSpan, tracingEnabled } from '../telemetry/spans';

type Arg = string | number | Buffer;
type CommandArray = [string, ...Arg[]];
type Reply = [Error | null, unknown];

// They would change the state of the one shared connection; pub/sub has its own (createIoRedisConnection).
const CONNECTION_STATE_COMMANDS = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'monitor', 'select', 'quit', 'reset']);

/**
 * Lets `@upstash/redis` (and so `@upstash/ratelimit`) run over a TCP connection: each request is what the Upstash
 * REST API would receive, and each answer has the shape it would send back (`{ result }` or `{ error }`, an array of
 * them for `pipeline` and `multi-exec`). Redis error replies become `{ error }`, which `@upstash/redis` throws as
 * an UpstashError; connection errors and timeouts are thrown as they are.
 */
export function createIoRedisRequester(client: IORedis): Requester {
  const untilFirstReady = createFirstReadyGate(client);
  const traced = tracingEnabled();

  const send = async <TResult>(req: UpstashRequest): Promise<UpstashResponse<TResult>> => {
    await untilFirstReady();
      const route = req.path?.[0];
      if (route !== undefined && route !== 'pipeline' && route !== 'multi-exec') {
        throw new Error(`@upstash/redis path "${route}" is not supported over ioredis`);
      }
      if (route) {
        const commands = toCommandList(req.body);
        const batch = route === 'pipeline' ? client.pipeline(commands) : client.multi(commands);
        const replies = (await batch.exec()) as Reply[] | null;
        // EXEC answers nil only when a WATCHed key changed; the REST API has no WATCH, so this is a protocol error.
        if (!replies) throw new Error('multi-exec aborted');
        return replies.map(([error, result]) => toResponse(error, result)) as unknown as UpstashResponse<TResult>;
      }
      const [command, ...args] = toCommand(req.body);
      try {
        return { result: toRestResult(await client.call(command, ...args)) as TResult };
      } catch (error) {
        if (isReplyError(error)) return { error: error.message };
        throw error;
      }
  };

  return {
    request<TResult>(req: UpstashRequest): Promise<UpstashResponse<TResult>> {
      // A CLIENT span per command (or pipeline) inside a traced request: the one seam every command of ours crosses.
      const span = traced ? startClientSpan(`redis ${spanCommandOf(req)}`, { 'db.system': 'redis', 'db.system.name': 'redis', 'db.operation.name': spanCommandOf(req) }) : undefined;
      if (!span) return send<TResult>(req);
      return send<TResult>(req).then(
        (answer) => {
          span.end();
          return answer;
        },
        (error: Error) => {
          span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
          span.end();
          throw error;
        },
      );
    },
  };
}

/** A span's command name: `GET`, `EVALSHA`, or `PIPELINE`/`MULTI-EXEC` for a batch. Never a key or a value. */
function spanCommandOf(req: UpstashRequest): string {
  const route = req.path?.[0];
  if (route) return route.toUpperCase();
  return Array.isArray(req.body) ? String(req.body[0]).toUpperCase() : 'COMMAND';
}

function toResponse(error: Error | null, result: unknown): UpstashResponse<unknown> {
  if (!error) return { result: toRestResult(result) };
  if (isReplyError(error)) return { error: error.message };
  throw error;
}

/** ioredis turns HGETALL into an object; the REST API (and @upstash/redis's deserializer) has the flat array. */
function toRestResult(result: unknown): unknown {
  if (result !== null && typeof result === 'object' && !Array.isArray(result) && !Buffer.isBuffer(result)) {
    return Object.entries(result).flat();
  }
  return result;
}

function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

function toCommand(body: unknown): CommandArray {
  if (!Array.isArray(body) || body.length === 0 || typeof body[0] !== 'string') {
    throw new TypeError('expected a command array');
  }
  if (CONNECTION_STATE_COMMANDS.has(body[0].toLowerCase())) {
    throw new Error(`${body[0]} is not supported on the shared command connection`);
  }
  const [command, ...args] = body as [string, ...unknown[]];
  return [command, ...args.map(toArg)];
}

function toCommandList(body: unknown): CommandArray[] {
  if (!Array.isArray(body)) throw new TypeError('expected an array of commands');
  return body.map(toCommand);
}

function toArg(value: unknown): Arg {
  if (typeof value === 'string' || typeof value === 'number' || Buffer.isBuffer(value)) return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Commands issued during the client's first connection attempt wait for it (up to its command timeout) instead of
 * failing at once. Once that attempt has succeeded or failed, the gate stays open: a disconnected client then
 * fails fast (offline queue off) rather than adding a wait to every request during an outage.
 */
function createFirstReadyGate(client: IORedis): () => Promise<void> {
  let settled = client.status === 'ready';
  const settle = () => (settled = true);
  if (!settled) {
    client.once('ready', settle);
    client.once('close', settle);
  }
  const maxWaitMs = client.options.commandTimeout ?? 1_000;

  return async () => {
    if (settled || client.status === 'end') return;
    if (client.status === 'wait') client.connect().catch(() => {});
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        client.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      client.once('ready', done);
      client.once('close', done);
    });
  };
}
