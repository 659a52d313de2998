import { EventEmitter, on, once } from 'node:events';
import type { Sql } from 'postgres';
import type { Redis as IORedis } from 'ioredis';
import type { Logger } from '../logger';
import { createIoRedisConnection } from '../redis/client';

/**
 * What open screens are told: something of this kind changed in this org (and store). They refetch, unless the
 * event carries a `version` (the dashboard's version after the change: dashboard.summary's `version`; a store's
 * screen is told its store's, `storeVersion`) that the screen's figures already have.
 */
export type LiveEvent = {
  orgId: string;
  kind: 'purchaseRequest' | 'inventory' | 'compliance' | 'product' | 'notification';
  storeId: string | null;
  at: number;
  /** The whole org's dashboard version after the change (consumers.ts), when it changed the dashboard's figures. */
  version?: number;
  /** The version of `storeId`'s own dashboard after the change; told to that store's screens as their `version`. */
  storeVersion?: number;
  /** Progress only (a device synced, recounts asked): count screens refetch, no dashboard figure changed. */
  progressOnly?: true;
};

export type LiveBus = {
  /** Best effort: false (and logged) when the event could not be sent. */
  publish(event: LiveEvent): Promise<boolean>;
  /** Events of one org until the signal aborts. */
  events(orgId: string, signal: AbortSignal): AsyncIterable<LiveEvent>;
  readonly transport: 'redis' | 'postgres';
  close(): Promise<void>;
};

const PG_CHANNEL = 'mi_live';

/**
 * Fan-out of live events to every app instance: Redis pub/sub on its own connections when Redis is configured,
 * PostgreSQL LISTEN/NOTIFY otherwise. Each process subscribes once and hands events to its local listeners.
 * Delivery is best effort: a screen that misses one catches up on its next event or reconnect.
 */
export function createLiveBus(opts: { redisUrl?: string; sql: Sql; channelPrefix: string; logger: Logger }): LiveBus {
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const deliver = (raw: string) => {
    try {
      const event = JSON.parse(raw) as LiveEvent;
      local.emit(event.orgId, event);
    } catch (error) {
      opts.logger.warn({ err: error }, 'dropped a malformed live event');
    }
  };

  let publisher: IORedis | undefined;
  let subscriber: IORedis | undefined;
  let pgListening: Promise<{ unlisten: () => Promise<void> }> | undefined;
  const channel = `${opts.channelPrefix}live`;

  const ensureSubscribed = () => {
    if (opts.redisUrl) {
      if (subscriber) return;
      subscriber = createIoRedisConnection(opts.redisUrl, { purpose: 'subscriber', logger: opts.logger });
      subscriber.on('message', (_channel: string, message: string) => deliver(message));
      subscriber.subscribe(channel).catch((error: unknown) => opts.logger.warn({ err: error }, 'live subscribe failed; will retry on reconnect'));
    } else {
      pgListening ??= opts.sql.listen(PG_CHANNEL, deliver).catch((error: unknown) => {
        pgListening = undefined;
        opts.logger.warn({ err: error }, 'LISTEN failed');
        return { unlisten: async () => {} };
      });
    }
  };

  return {
    transport: opts.redisUrl ? 'redis' : 'postgres',
    async publish(event) {
      const payload = JSON.stringify(event);
      try {
        if (opts.redisUrl) {
          publisher ??= createIoRedisConnection(opts.redisUrl, { purpose: 'bullmq', logger: opts.logger });
          // Fails fast while Redis is down, but the very first publish waits (briefly) for the connection.
          if (publisher.status === 'connecting' || publisher.status === 'wait') await Promise.race([once(publisher, 'ready'), new Promise((r) => setTimeout(r, 500))]);
          await publisher.publish(channel, payload);
        } else {
          await opts.sql.notify(PG_CHANNEL, payload);
        }
        return true;
      } catch (error) {
        opts.logger.warn({ err: error, kind: event.kind }, 'live event not published');
        return false;
      }
    },
    async *events(orgId, signal) {
      ensureSubscribed();
      try {
        for await (const [event] of on(local, orgId, { signal })) yield event as LiveEvent;
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    },
    async close() {
      await Promise.allSettled([publisher?.quit(), subscriber?.quit(), pgListening?.then((l) => l.unlisten())]);
    },
  };
}
