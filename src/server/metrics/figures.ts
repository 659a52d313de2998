import type { Redis } from '@upstash/redis';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import type { Logger } from '../logger';
import { LATENCY_BUCKETS } from './metrics';

/**
 * The cluster's own figures, for the pages that need no Prometheus (the embedded default, a small chain): each
 * instance counts its tRPC calls per procedure into latency buckets, its server errors and its cache lookups, per
 * minute, and adds them every few seconds to counters every instance shares — in Redis when there is one, in
 * PostgreSQL otherwise — kept for three hours. Percentiles come from the summed buckets, as Prometheus's
 * `histogram_quantile` does, so two instances' figures combine exactly.
 */

const MINUTE = 60_000;
const KEEP_MS = 3 * 60 * MINUTE;
/** Above this many distinct series waiting (the store down for long), new ones are dropped until a write succeeds. */
const MAX_PENDING = 50_000;

export type FigureRow = { minute: number; series: string; value: number };
export type FigureStore = {
  kind: 'redis' | 'postgres';
  add(rows: FigureRow[]): Promise<void>;
  read(fromMinute: number, toMinute: number): Promise<FigureRow[]>;
};

const minuteOf = (at: number) => Math.floor(at / MINUTE) * MINUTE;
const bucketOf = (seconds: number) => {
  const i = LATENCY_BUCKETS.findIndex((upper) => seconds <= upper);
  return i === -1 ? LATENCY_BUCKETS.length : i;
};

export function createRedisFigureStore(redis: Redis, prefix: string): FigureStore {
  const keyOf = (minute: number) => `${prefix}figures:${minute}`;
  return {
    kind: 'redis',
    async add(rows) {
      if (rows.length === 0) return;
      const pipeline = redis.pipeline();
      const minutes = new Set<number>();
      for (const row of rows) {
        pipeline.hincrby(keyOf(row.minute), row.series, row.value);
        minutes.add(row.minute);
      }
      for (const minute of minutes) pipeline.pexpire(keyOf(minute), KEEP_MS);
      await pipeline.exec();
    },
    async read(fromMinute, toMinute) {
      const minutes: number[] = [];
      for (let m = fromMinute; m <= toMinute; m += MINUTE) minutes.push(m);
      const pipeline = redis.pipeline();
      for (const m of minutes) pipeline.hgetall(keyOf(m));
      const hashes = (await pipeline.exec()) as (Record<string, unknown> | null)[];
      return minutes.flatMap((minute, i) => Object.entries(hashes[i] ?? {}).map(([series, value]) => ({ minute, series, value: Number(value) })));
    },
  };
}

export function createPostgresFigureStore(db: Database): FigureStore {
  let lastPrune = 0;
  return {
    kind: 'postgres',
    async add(rows) {
      if (rows.length === 0) return;
      // In key order, so instances adding the same rows at once lock them in one order (no deadlock).
      const ordered = [...rows].sort((a, b) => a.minute - b.minute || (a.series < b.series ? -1 : a.series > b.series ? 1 : 0));
      const values = JSON.stringify(ordered.map((r) => [new Date(r.minute).toISOString(), r.series, r.value]));
      // One statement for the batch; instances adding the same minute at once add up (the row lock orders them).
      await db.execute(sql`
        insert into metric_minutes (minute, series, value)
        select (r->>0)::timestamptz, r->>1, (r->>2)::bigint from jsonb_array_elements(${values}::jsonb) r
        on conflict (minute, series) do update set value = metric_minutes.value + excluded.value`);
      if (Date.now() - lastPrune > 10 * MINUTE) {
        lastPrune = Date.now();
        await db.execute(sql`delete from metric_minutes where minute < ${new Date(Date.now() - KEEP_MS).toISOString()}::timestamptz`);
      }
    },
    async read(fromMinute, toMinute) {
      const rows = await db.execute<{ minute: Date | string; series: string; value: string | number }>(sql`
        select minute, series, value from metric_minutes
        where minute between ${new Date(fromMinute).toISOString()}::timestamptz and ${new Date(toMinute).toISOString()}::timestamptz`);
      return [...rows].map((r) => ({ minute: new Date(r.minute).getTime(), series: r.series, value: Number(r.value) }));
    },
  };
}

export type FigureRecorder = ReturnType<typeof createFigureRecorder>;

export function createFigureRecorder(opts: { store: FigureStore; logger: Logger; flushMs?: number }) {
  let pending = new Map<string, FigureRow>();
  let flushing: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;

  const add = (series: string, value = 1, at = Date.now()) => {
    const minute = minuteOf(at);
    const key = `${minute}|${series}`;
    const row = pending.get(key);
    if (row) row.value += value;
    else if (pending.size < MAX_PENDING) pending.set(key, { minute, series, value });
  };

  const flush = async (): Promise<void> => {
    // One write at a time; what was counted meanwhile goes in the next.
    while (flushing) await flushing;
    const batch = pending;
    pending = new Map();
    if (batch.size === 0) return;
    flushing = opts.store
      .add([...batch.values()])
      .then(() => {
        if (failing) opts.logger.info('cluster figures written again');
        failing = false;
      })
      .catch((error: unknown) => {
        // Kept for the next flush (merged with what came since), unless it is older than the store keeps.
        for (const row of batch.values()) if (row.minute > Date.now() - KEEP_MS) add(row.series, row.value, row.minute);
        if (!failing) opts.logger.warn({ err: error, store: opts.store.kind }, 'cluster figures could not be written; kept for the next try');
        failing = true;
      })
      .finally(() => {
        flushing = null;
      });
    return flushing;
  };

  return {
    /** Where the cluster's figures are kept: Redis, or PostgreSQL without it. */
    storeKind: opts.store.kind,
    /** A finished tRPC call: its latency bucket, and whether it failed on the server's side (5xx). */
    call(procedure: string, seconds: number, serverError: boolean) {
      add(`c|${procedure}|${bucketOf(seconds)}`);
      if (serverError) add(`e|${procedure}`);
    },
    cacheLookup(hit: boolean) {
      add(hit ? 'k|hit' : 'k|miss');
    },
    flush,
    start() {
      timer ??= setInterval(() => void flush(), opts.flushMs ?? 5_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await flush();
    },
    /** The whole cluster's figures of the last `minutes` whole minutes and the current one. */
    async read(minutes: number, now = Date.now()): Promise<ClusterFigures> {
      const to = minuteOf(now);
      const from = to - (minutes - 1) * MINUTE;
      return summarize(await opts.store.read(from, to), from, to);
    },
  };
}

export type FigureSummary = { calls: number; p50Ms: number | null; p99Ms: number | null; errors: number; errorRate: number | null };
export type ClusterFigures = {
  from: number;
  to: number;
  totals: FigureSummary & { cacheHits: number; cacheMisses: number; cacheHitRate: number | null };
  procedures: (FigureSummary & { procedure: string })[];
  minutes: (FigureSummary & { at: number; cacheHitRate: number | null })[];
};

type Tally = { buckets: number[]; errors: number; hits: number; misses: number };
const emptyTally = (): Tally => ({ buckets: Array<number>(LATENCY_BUCKETS.length + 1).fill(0), errors: 0, hits: 0, misses: 0 });

/** The q-quantile of bucketed latencies in ms, interpolated inside its bucket (histogram_quantile's rule). */
export function quantileMs(buckets: number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i]!;
    if (seen + count >= rank && count > 0) {
      if (i === LATENCY_BUCKETS.length) return LATENCY_BUCKETS.at(-1)! * 1000;
      const lower = i === 0 ? 0 : LATENCY_BUCKETS[i - 1]!;
      const upper = LATENCY_BUCKETS[i]!;
      return Math.round((lower + ((upper - lower) * (rank - seen)) / count) * 1000 * 10) / 10;
    }
    seen += count;
  }
  return null;
}

function summaryOf(t: Tally): FigureSummary {
  const calls = t.buckets.reduce((a, b) => a + b, 0);
  return { calls, p50Ms: quantileMs(t.buckets, 0.5), p99Ms: quantileMs(t.buckets, 0.99), errors: t.errors, errorRate: calls === 0 ? null : t.errors / calls };
}

function addInto(into: Tally, from: Tally) {
  from.buckets.forEach((n, i) => (into.buckets[i]! += n));
  into.errors += from.errors;
  into.hits += from.hits;
  into.misses += from.misses;
}

export function summarize(rows: FigureRow[], from: number, to: number): ClusterFigures {
  const byMinute = new Map<number, Tally>();
  const byProcedure = new Map<string, Tally>();
  const tally = (map: Map<number | string, Tally>, key: number | string) => {
    let t = map.get(key);
    if (!t) map.set(key, (t = emptyTally()));
    return t;
  };
  for (const { minute, series, value } of rows) {
    const [kind, name, bucket] = series.split('|');
    const m = tally(byMinute as Map<number | string, Tally>, minute);
    if (kind === 'c' && name) {
      const i = Number(bucket);
      if (!(i >= 0 && i <= LATENCY_BUCKETS.length)) continue;
      m.buckets[i]! += value;
      tally(byProcedure as Map<number | string, Tally>, name).buckets[i]! += value;
    } else if (kind === 'e' && name) {
      m.errors += value;
      tally(byProcedure as Map<number | string, Tally>, name).errors += value;
    } else if (kind === 'k') {
      if (name === 'hit') m.hits += value;
      else m.misses += value;
    }
  }
  const total = emptyTally();
  const minutes: ClusterFigures['minutes'] = [];
  for (let at = from; at <= to; at += MINUTE) {
    const t = byMinute.get(at) ?? emptyTally();
    addInto(total, t);
    minutes.push({ at, ...summaryOf(t), cacheHitRate: t.hits + t.misses === 0 ? null : t.hits / (t.hits + t.misses) });
  }
  const procedures = [...byProcedure.entries()].map(([procedure, t]) => ({ procedure, ...summaryOf(t) })).sort((a, b) => b.calls - a.calls || a.procedure.localeCompare(b.procedure));
  return {
    from,
    to,
    totals: { ...summaryOf(total), cacheHits: total.hits, cacheMisses: total.misses, cacheHitRate: total.hits + total.misses === 0 ? null : total.hits / (total.hits + total.misses) },
    procedures,
    minutes,
  };
}
