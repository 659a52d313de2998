import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Procedure and HTTP latency: 5 ms to 2 s is the range that matters (the seed's alert is p99 > 2 s), 5 s for the tail. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];
/** Jobs run from milliseconds (an event's consumers) to minutes (a photo through OpenAI). */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300];

/** What this process reads from shared state when scraped (queue depth, outbox lag, …); each instance sets its own. */
export type ScrapeSources = {
  dbPool?: () => { max: number; inUse: number; waiting: number };
  queueJobs?: () => Promise<{ queue: string; state: string; count: number }[]>;
  outboxLagSeconds?: () => Promise<number>;
  unresolvedDeadLetters?: () => Promise<number>;
  breakers?: () => { name: string; state: string }[];
  redisUp?: () => number | null;
  workersAlive?: () => Promise<number>;
};

const BREAKER_STATE: Record<string, number> = { closed: 0, halfOpen: 1, 'half-open': 1, half_open: 1, open: 2, isolated: 2 };

/**
 * One Prometheus registry per process (the app, each worker process), with Node's default metrics and ours. Labels
 * are bounded: procedure paths, queue names, integration names, status classes — never an id. The figures that
 * live in shared state (queue depth, outbox lag, dead letters) are read when scraped, through `sources`.
 */
export function createMetrics(opts: { role: 'app' | 'workers'; version: string; defaultMetrics?: boolean }) {
  const registry = new Registry();
  registry.setDefaultLabels({ role: opts.role });
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  const registers = [registry];
  let sources: ScrapeSources = {};
  /** A scrape-time read that fails (PostgreSQL down) leaves the gauge empty rather than failing the scrape. */
  const safely = async (read: () => Promise<void>) => {
    try {
      await read();
    } catch {
      /* the gauge stays without a value this scrape */
    }
  };

  new Gauge({ name: 'myinventory_build_info', help: 'The running version (always 1)', labelNames: ['version'], registers }).set({ version: opts.version }, 1);

  const metrics = {
    registry,
    trpcCalls: new Counter({ name: 'myinventory_trpc_calls_total', help: 'tRPC calls by procedure, type and result code', labelNames: ['procedure', 'type', 'code'], registers }),
    trpcDuration: new Histogram({ name: 'myinventory_trpc_duration_seconds', help: 'tRPC call duration', labelNames: ['procedure', 'type'], buckets: LATENCY_BUCKETS, registers }),
    httpResponses: new Counter({ name: 'myinventory_http_responses_total', help: 'HTTP answers by status class', labelNames: ['class'], registers }),
    cacheLookups: new Counter({ name: 'myinventory_cache_lookups_total', help: 'Cache lookups by key family and result (hit, miss)', labelNames: ['family', 'result'], registers }),
    rateLimitDecisions: new Counter({ name: 'myinventory_rate_limit_decisions_total', help: 'Rate-limit decisions by bucket (allowed, limited)', labelNames: ['bucket', 'decision'], registers }),
    loadShed: new Counter({ name: 'myinventory_load_shed_total', help: 'Requests refused with 503 before any work, by reason', labelNames: ['reason'], registers }),
    liveStreams: new Gauge({ name: 'myinventory_live_streams', help: 'Open live streams (SSE connections)', registers }),
    jobDuration: new Histogram({ name: 'myinventory_job_duration_seconds', help: 'Queue job duration by queue and outcome', labelNames: ['queue', 'outcome'], buckets: JOB_BUCKETS, registers }),
    pushes: new Counter({ name: 'myinventory_pushes_total', help: 'Push notifications by outcome (sent, failed, no_devices, invalid)', labelNames: ['result'], registers }),
    syncBatches: new Counter({ name: 'myinventory_sync_batches_total', help: 'Offline count sync batches received', registers }),
    syncEntries: new Counter({ name: 'myinventory_sync_entries_total', help: 'Offline count entries by result (accepted, duplicate, rejected)', labelNames: ['result'], registers }),
    syncDuration: new Histogram({ name: 'myinventory_sync_batch_seconds', help: 'Offline count sync batch duration', buckets: LATENCY_BUCKETS, registers }),
    finalizeDuration: new Histogram({ name: 'myinventory_inventory_finalize_seconds', help: 'Inventory finalize duration', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers }),
    /** Where the scrape-time figures come from; set once the process's services exist. */
    watch(next: ScrapeSources) {
      sources = { ...sources, ...next };
    },
    /** The text exposition format, for /api/metrics and a worker's metrics port. */
    async exposition(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };

  /** One number read from shared state at each scrape; empty when the read fails (PostgreSQL down), never stale. */
  const sharedValue = (name: string, help: string, key: 'outboxLagSeconds' | 'unresolvedDeadLetters' | 'workersAlive') =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        this.reset();
        const read = sources[key];
        if (read) await safely(async () => this.set(await read()));
      },
    });
  new Gauge({
    name: 'myinventory_db_pool_connections',
    help: 'Database pool: connections in use, and statements or transactions waiting for one',
    labelNames: ['state'],
    registers,
    collect() {
      const pool = sources.dbPool?.();
      if (!pool) return;
      this.set({ state: 'max' }, pool.max);
      this.set({ state: 'in_use' }, pool.inUse);
      this.set({ state: 'waiting' }, pool.waiting);
    },
  });
  new Gauge({
    name: 'myinventory_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      this.reset();
      const read = sources.queueJobs;
      if (read) await safely(async () => (await read()).forEach(({ queue, state, count }) => this.set({ queue, state }, count)));
    },
  });
  sharedValue('myinventory_outbox_lag_seconds', 'Age of the oldest domain event not yet published to the queue (0: none waiting)', 'outboxLagSeconds');
  sharedValue('myinventory_dead_letters_unresolved', 'Dead letters nobody resolved yet', 'unresolvedDeadLetters');
  new Gauge({
    name: 'myinventory_breaker_state',
    help: 'Circuit breaker per integration: 0 closed, 1 half-open, 2 open',
    labelNames: ['integration'],
    registers,
    collect() {
      for (const { name, state } of sources.breakers?.() ?? []) this.set({ integration: name }, BREAKER_STATE[state] ?? 0);
    },
  });
  new Gauge({
    name: 'myinventory_redis_up',
    help: 'Whether Redis answers this instance (1 up, 0 down; absent when not configured)',
    registers,
    collect() {
      const up = sources.redisUp?.();
      if (up !== null && up !== undefined) this.set(up);
    },
  });
  sharedValue('myinventory_workers_alive', 'Worker instances with a fresh heartbeat', 'workersAlive');

  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** An HTTP status as its class label (`2xx` … `5xx`). */
export const statusClass = (status: number) => `${Math.floor(status / 100)}xx`;

/**
 * A cache key's family for the labels, never its ids: `trpc:<procedure>` for a procedure's answer, else the key's
 * first word and its second when that is a plain word (`product:ean:<org>:<ean>` is `product:ean`,
 * `dashboard:<org>` is `dashboard`).
 */
export function cacheFamilyOf(key: string): string {
  const [first, second] = key.split(':');
  if (first === 'trpc' && second) return `trpc:${second}`;
  return second && /^[a-z]+$/.test(second) ? `${first}:${second}` : first || 'other';
}
