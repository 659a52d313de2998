import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { z } from 'zod';

/**
 * The one place that reads process.env. Parsed once at import; a wrong value stops the process with the
 * variable's name. Everything else imports `env`.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(
      z
        .string()
        .refine((v) => protocols.some((p) => v.startsWith(p)), {
          message: `must start with ${protocols.join(' or ')}`,
        })
        .optional(),
    )
    .optional();
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
/** A Web Push application server key: an uncompressed P-256 point (65 bytes, 0x04 first) in base64url. */
function isVapidPublicKey(value: string): boolean {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return false;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.length === 65 && bytes[0] === 0x04;
}
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);

type PolicyDefaults = { timeoutMs: number; retries: number; halfOpenAfterMs: number; concurrency: number };
type PolicyKey<P extends string> = `${P}_${'TIMEOUT_MS' | 'RETRIES' | 'BREAKER_THRESHOLD' | 'BREAKER_WINDOW' | 'BREAKER_MIN_CALLS' | 'HALF_OPEN_AFTER_MS' | 'CONCURRENCY'}`;
/**
 * An external service's resilience policy (src/server/integrations/resilience.ts), the same seven variables for
 * each: one attempt's time limit, retries of a failure of the service inside the policy, the circuit breaker (it
 * opens when more than BREAKER_THRESHOLD of the last BREAKER_WINDOW calls failed, judged from BREAKER_MIN_CALLS
 * calls, and lets one call test the service HALF_OPEN_AFTER_MS later) and how many calls run at once (as many more
 * wait). The breaker's defaults are the seed's (50 % over a window of 20, half-open after 30 s unless said).
 */
function policyEnv<P extends string>(prefix: P, d: PolicyDefaults): Record<PolicyKey<P>, ReturnType<typeof int>> {
  return {
    [`${prefix}_TIMEOUT_MS`]: int(d.timeoutMs, 100, 600_000),
    [`${prefix}_RETRIES`]: int(d.retries, 0, 10),
    [`${prefix}_BREAKER_THRESHOLD`]: z.coerce.number().gt(0).lt(1).default(0.5),
    [`${prefix}_BREAKER_WINDOW`]: int(20, 2, 10_000),
    [`${prefix}_BREAKER_MIN_CALLS`]: int(5, 1, 10_000),
    [`${prefix}_HALF_OPEN_AFTER_MS`]: int(d.halfOpenAfterMs, 100, 3_600_000),
    [`${prefix}_CONCURRENCY`]: int(d.concurrency, 1, 1_000),
  } as Record<PolicyKey<P>, ReturnType<typeof int>>;
}

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(3000, 0, 65535),
  /** Public origin used in printed URLs and CSRF checks; derived from HOST/PORT when unset. */
  PUBLIC_URL: optionalUrl(['http://', 'https://']),

  DATABASE_URL: optionalUrl(['postgres://', 'postgresql://']),
  /** Connections per app process; see README "Connection budget". */
  DATABASE_POOL_MAX: int(10, 1, 500),
  /**
   * PostgreSQL itself when DATABASE_URL goes through PgBouncer in transaction mode: migrations (their advisory lock
   * is a session's) and LISTEN connections (a session's too) use it. Unset: DATABASE_URL for everything.
   */
  DATABASE_DIRECT_URL: z.string().url().optional(),
  /** Turn off for PgBouncer in transaction mode. */
  DATABASE_PREPARE: bool.default(true),
  DATABASE_STATEMENT_TIMEOUT_MS: int(15_000, 100),
  /** Embedded PostgreSQL (used when DATABASE_URL is unset). */
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_PG_PORT: int(54329, 1024, 65535),
  /** Where db:backup and db:restore find pg_dump, pg_restore and psql (default: the embedded server's, else PATH). */
  PG_BIN_DIR: z.string().optional(),

  REDIS_URL: optionalUrl(['redis://', 'rediss://']),
  UPSTASH_REDIS_REST_URL: optionalUrl(['https://', 'http://']),
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),
  REDIS_COMMAND_TIMEOUT_MS: int(250, 10, 5_000),
  REDIS_KEY_PREFIX: z.string().default('mi:'),

  SESSION_TTL_HOURS: int(24, 1, 24 * 30),
  /** An API token created without an expiry choice expires after this many days (the form shows it). */
  API_TOKEN_DEFAULT_DAYS: int(90, 1, 3650),
  SESSION_CACHE_TTL_SECONDS: int(300, 1, 3600),
  /** How often an open live stream checks that its session or token still holds (it ends when not). */
  LIVE_RECHECK_SECONDS: int(15, 1, 300),
  RATE_LIMIT_ANON_PER_MINUTE: int(100, 1),
  RATE_LIMIT_USER_PER_MINUTE: int(100, 1),
  RATE_LIMIT_LOGIN_PER_MINUTE: int(5, 1),

  /** Dashboard: how long an answer is fresh, how long after that it may still be served while rebuilt. */
  DASHBOARD_FRESH_SECONDS: int(60, 1, 3600),
  DASHBOARD_STALE_SECONDS: int(300, 0, 86_400),
  /** How often the dashboard's materialized views are refreshed (REFRESH … CONCURRENTLY). */
  DASHBOARD_REFRESH_SECONDS: int(60, 5, 86_400),

  /** Push notifications (FCM). Without a project id, in-app notifications only. */
  FCM_PROJECT_ID: z.string().optional(),
  FCM_SERVICE_ACCOUNT_FILE: z.string().optional(),
  /** Tests and benchmarks: where a local stand-in of FCM's HTTP v1 API listens (the SDK's transport is pointed there). */
  FCM_ENDPOINT_OVERRIDE: optionalUrl(['http://']),
  /** After FCM's 429, wait this long when its answer carries no Retry-After (with one, FCM's figure wins). */
  FCM_RATE_LIMIT_DELAY_MS: int(60_000, 0),
  /**
   * FCM's resilience policy (see `policyEnv`): one send's time limit is above firebase-admin's own retries of a 503
   * (up to about 5 min), so a send cut short is never still on its way when it is sent again; no retries inside the
   * policy (the SDK and the job retry). FCM_MAX_WAIT_MS: how long a push may wait for FCM to come back before it
   * counts its attempts again (and may be dead-lettered).
   */
  ...policyEnv('FCM', { timeoutMs: 320_000, retries: 0, halfOpenAfterMs: 30_000, concurrency: 16 }),
  FCM_MAX_WAIT_MS: int(86_400_000, 1_000),

  /**
   * Product photos and other files: under DATA_DIR/objects, or in an S3-compatible bucket (AWS S3, Cloudflare R2,
   * MinIO, Supabase Storage) when S3_BUCKET is set. S3_ENDPOINT for anything but AWS; path-style addressing for MinIO
   * and most self-hosted stores. Without keys the SDK's default chain (instance role, AWS_* variables) is used.
   */
  S3_BUCKET: optionalText,
  S3_ENDPOINT: optionalUrl(['https://', 'http://']),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,
  S3_FORCE_PATH_STYLE: bool.default(false),
  /** The store's policy: a write is small and quick; a disk or bucket that fails is tested again after 10 s. */
  ...policyEnv('STORAGE', { timeoutMs: 10_000, retries: 2, halfOpenAfterMs: 10_000, concurrency: 32 }),

  /**
   * Open Food Facts (product names, brands, photos by EAN). Empty: off (products keep what was typed and go to
   * manual review for a photo). OFF asks every client for a User-Agent naming the app and a contact.
   */
  OPENFOODFACTS_URL: z
    .string()
    .trim()
    .default('https://world.openfoodfacts.org')
    .transform((v) => (v === '' || v === 'off' ? undefined : v.replace(/\/+$/, '')))
    .pipe(z.url({ protocol: /^https?$/ }).optional()),
  OPENFOODFACTS_USER_AGENT: z.string().default('MyInventory/0.1 (suporte@myinventory.app)'),
  /** OFF allows 100 product reads a minute per client: the pipeline's lookups are spaced to this, per process (0: not spaced). */
  OPENFOODFACTS_MAX_PER_MINUTE: int(100, 0, 100_000),
  ...policyEnv('OPENFOODFACTS', { timeoutMs: 10_000, retries: 2, halfOpenAfterMs: 30_000, concurrency: 16 }),

  /**
   * OpenAI scores each candidate photo (does it show this product, is it usable). Without a key no photo is
   * scored: every one goes to manual review (reason `scoring_not_configured`). OPENAI_BASE_URL: an
   * OpenAI-compatible endpoint (Azure OpenAI, a gateway, the tests' stand-in).
   */
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalUrl(['https://', 'http://']),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  /** A photo scored at or above this (0..1) that shows the product and is usable is approved without a person. */
  OPENAI_APPROVE_SCORE: z.coerce.number().min(0).max(1).default(0.8),
  /** Tokens (prompt + completion) each organization may spend per UTC day; past it photos go to manual review. */
  OPENAI_DAILY_TOKEN_BUDGET: int(500_000, 0),
  /**
   * A vision answer takes 1-10 s; 30 s is its limit. Retries (2) only for 5xx, 429 and timeouts. 16 at once: 600
   * photos a minute at ~1.6 s each (the account's rate limit must allow it: OpenAI's tier 1 is 500 requests/min).
   */
  ...policyEnv('OPENAI', { timeoutMs: 30_000, retries: 2, halfOpenAfterMs: 30_000, concurrency: 16 }),

  /**
   * Google Vision reads the compliance photos (labels and text). GOOGLE_APPLICATION_CREDENTIALS: the path of a
   * service account's JSON key (Google's own variable); without it automatic checking is off and every submission
   * goes to manual review. VISION_API_ENDPOINT: `http(s)://host[:port]` of a proxy or the tests' stand-in instead of
   * Google's (the client takes no path).
   */
  GOOGLE_APPLICATION_CREDENTIALS: optionalText,
  VISION_API_ENDPOINT: optionalUrl(['https://', 'http://']).refine((v) => v === undefined || new URL(v).pathname === '/', {
    message: 'must be scheme://host[:port], without a path',
  }),
  /**
   * One request carries a submission's photos (up to 16); labels and text take 1-5 s, 15 s is one attempt's limit.
   * Retries (2) only for 5xx, 429, network failures and timeouts.
   */
  ...policyEnv('VISION', { timeoutMs: 15_000, retries: 2, halfOpenAfterMs: 30_000, concurrency: 16 }),

  /**
   * The image pipeline: photos at most IMAGE_MAX_BYTES and IMAGE_MAX_PIXELS (decompression bombs stop at the
   * header), a download's whole time limit, how many products one worker handles at once (they wait on I/O), and
   * how long a product may wait for a service to come back before its job counts attempts again.
   */
  IMAGE_MAX_BYTES: int(10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  IMAGE_MAX_PIXELS: int(40_000_000, 10_000, 268_402_689),
  IMAGE_DOWNLOAD_TIMEOUT_MS: int(15_000, 100, 120_000),
  IMAGE_CONCURRENCY: int(32, 1, 256),
  IMAGE_MAX_WAIT_MS: int(7 * 86_400_000, 1_000),
  /**
   * Tests and development only: `host:port` pairs photo downloads may reach over plain http whatever their
   * address (local stand-ins). Empty in production: downloads are https to public addresses only.
   */
  IMAGE_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((h) => h.trim()).filter(Boolean)),
  /**
   * The Firebase web app the browsers get push tokens from (Firebase console > Project settings > Your apps, and
   * Cloud Messaging > Web Push certificates for the VAPID key). Served to signed-in pages at runtime, so one build
   * runs in every deployment; all five or none (none: no push control in the UI).
   */
  FIREBASE_WEB_API_KEY: optionalText,
  FIREBASE_WEB_PROJECT_ID: optionalText,
  FIREBASE_WEB_APP_ID: optionalText,
  FIREBASE_WEB_MESSAGING_SENDER_ID: optionalText.pipe(z.string().regex(/^\d+$/, 'must be the numeric sender id').optional()),
  FIREBASE_WEB_VAPID_KEY: optionalText.pipe(z.string().refine(isVapidPublicKey, 'must be the base64url public key of a P-256 key pair (87 characters)').optional()),
  /**
   * Compliance photo tasks: how often the workers make the tasks templates owe (idempotent: any number of worker
   * processes may run it); a new or changed template makes today's at once.
   */
  COMPLIANCE_SCHEDULE_INTERVAL_MS: int(60_000, 500),
  /**
   * Compliance photos one app instance starts per second (0: no limit); the others wait their turn, unread, up to
   * COMPLIANCE_UPLOAD_MAX_WAIT_MS, then get 503 with Retry-After and the tablet sends them later (src/server/http/upload-gate.ts).
   */
  COMPLIANCE_UPLOADS_PER_SECOND: int(10, 0),
  COMPLIANCE_UPLOAD_MAX_WAIT_MS: int(60_000, 0),
  /**
   * The separate worker process's CPU niceness (0 = as the app, up to 19): image work (compliance thumbnails, the
   * product photo pipeline) yields to the app server's requests when both share a machine's cores.
   */
  WORKER_NICE: int(10, 0, 19),
  /**
   * How far the app server's V8 heap may grow past what survived its last full collection before the next one, in
   * percent (src/server/runtime/heap.ts); 0 leaves V8's own growth.
   */
  HEAP_GROWING_PERCENT: int(100, 0, 300),
  /** Run the queue workers and the outbox relay inside the app process (default: only with the embedded database). */
  WORKERS_IN_PROCESS: z.enum(['auto', 'true', 'false']).default('auto'),
  /** How long a worker's claim on a job lasts without renewal: after a crash, its jobs return to the queue this much later. */
  WORKER_LOCK_DURATION_MS: int(30_000, 1000),
  /**
   * A published event not yet applied, or a push not yet sent, this long after is queued again (same job id: a
   * no-op while its job still exists), so jobs lost with Redis's data are not lost for good. Swept every half of it.
   */
  REDELIVER_AFTER_MS: int(60_000, 1000),
  /**
   * Events of one org the relay puts in one `domain-events` job (src/server/queues/definitions.ts `jobOf.events`).
   * Unset: 25 on BullMQ's PostgreSQL backend (where every job's claim and finish is costly work for the database),
   * 1 on Redis. Workers of a release before batches cannot read them: see README "Rollback".
   */
  RELAY_EVENTS_PER_JOB: z.coerce.number().int().min(1).max(100).optional(),
  /**
   * Retention (README "Retention"): days each kind of row is kept, 0 = forever. Events with their processed marks;
   * the audit log (longest: who changed what); notifications; the scans of finished counts and closed deliveries.
   * Dead letters, unprocessed events and pushes still to send are never deleted.
   */
  RETENTION_EVENT_DAYS: int(30, 0, 36_500),
  RETENTION_AUDIT_DAYS: int(730, 0, 36_500),
  RETENTION_NOTIFICATION_DAYS: int(90, 0, 36_500),
  RETENTION_SCAN_DAYS: int(365, 0, 36_500),
  /** Rows per retention batch (one short transaction each) and how often the workers run a round. */
  RETENTION_BATCH: int(5_000, 100, 100_000),
  RETENTION_INTERVAL_MS: int(3_600_000, 1000),
  /** Connections of BullMQ's PostgreSQL backend (used when REDIS_URL is unset), per process. */
  QUEUE_PG_POOL_MAX: int(5, 1, 100),
  /**
   * The deployment's shape, for the connection budget logged at start (README "Connection budget"): how many app
   * processes and worker processes share the database, and (behind PgBouncer: its max_client_conn) how many
   * connections it accepts; unset, the server's max_connections less its superuser reserve.
   */
  APP_INSTANCES: int(1, 1, 1000),
  WORKER_PROCESSES: int(1, 0, 1000),
  DATABASE_MAX_CONNECTIONS: z.coerce.number().int().min(1).optional(),
  /** HTTPS with a given certificate (a real domain): wins over the local authority below. */
  HTTPS_CERT_FILE: z.string().optional(),
  HTTPS_KEY_FILE: z.string().optional(),
  /**
   * HTTPS for a server in the store (README "HTTPS in the store"): a local certificate authority made on first start
   * under DATA_DIR/tls signs a certificate for this machine's names and LAN addresses; tablets trust the authority
   * once (the /instalar page). `HTTPS_SELF_SIGNED`, its earlier name, means the same.
   */
  HTTPS_LOCAL_CA: bool.default(false),
  HTTPS_SELF_SIGNED: bool.default(false),
  /**
   * More names or addresses the store's certificate must cover (comma-separated), beyond those detected: host names
   * (a Unicode name is kept in its ASCII form, as certificates carry it) or IP addresses, no scheme and no port.
   */
  HTTPS_HOSTNAMES: z
    .string()
    .default('')
    .transform((v, ctx) =>
      v
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean)
        .map((name) => {
          if (isIP(name)) return name;
          const ascii = domainToASCII(name.toLowerCase());
          if (!ascii || !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(ascii)) {
            ctx.addIssue({ code: 'custom', message: `"${name}" is neither a host name nor an IP address (no scheme, no port)` });
          }
          return ascii;
        }),
    ),

  /** Behind a reverse proxy: take the client IP from X-Forwarded-For (its last hop) and TLS from X-Forwarded-Proto. */
  TRUST_PROXY: bool.default(false),
  /** Reported by /api/health; defaults to package.json's version. */
  APP_VERSION: z.string().default(process.env.npm_package_version ?? '0.1.0'),
  /**
   * Load shedding: API requests beyond this many in flight, or while the event loop lags more than this, get an
   * immediate 503 with Retry-After instead of queueing until they time out.
   */
  LOAD_SHED_MAX_IN_FLIGHT: int(400, 1),
  LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: int(200, 10),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100),
  /**
   * Behind a load balancer: how long a stopping instance keeps serving while its readiness (/api/health/ready)
   * fails, before it stops accepting — longer than the balancer takes to mark it down (ops/cluster/haproxy.cfg:
   * 3 failed checks 1 s apart). 0: stop accepting at once.
   */
  SHUTDOWN_DRAIN_DELAY_MS: int(0, 0, 120_000),
  /**
   * Files (exports GET /api/export/… and shelf labels POST /api/labels.pdf): how many this process streams at once,
   * all routes together (an export holds a pooled connection while its file is written; one more gets 503
   * files_busy), and how long one may take before its query is cancelled.
   */
  EXPORT_MAX_CONCURRENT: int(2, 1, 100),
  EXPORT_TIMEOUT_MS: int(600_000, 100),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEMO_SEED: bool.default(true),

  /**
   * Prometheus metrics: served only with this bearer token (GET /api/metrics on the app, and on
   * WORKER_METRICS_PORT of each worker process). Unset: no metrics endpoint at all.
   */
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** A worker process's metrics port (with METRICS_TOKEN); unset: none. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  /**
   * This instance's name in the heartbeats, the health check and alerts; stable across restarts so a restarted
   * process takes its place back. Default: host name and role (plus the metrics port of a worker).
   */
  INSTANCE_NAME: optionalText,
  /** Slack-compatible incoming webhook the watchdog posts incidents and their resolution to (JSON `{ text }`). */
  ALERT_WEBHOOK_URL: optionalUrl(['https://', 'http://']),
  /** How often each instance beats and its watchdog looks (ms); an instance silent for HEARTBEAT_STALE_MS is down. */
  WATCHDOG_INTERVAL_MS: int(5_000, 100, 60_000),
  HEARTBEAT_STALE_MS: int(15_000, 500),
  /** Alert thresholds: outbox lag (oldest event not yet published), waiting jobs in one queue, API p99 and error share over 5 min. */
  ALERT_OUTBOX_LAG_SECONDS: int(30, 1),
  ALERT_QUEUE_BACKLOG: int(1_000, 1),
  ALERT_API_P99_MS: int(2_000, 1),
  ALERT_ERROR_RATE: z.coerce.number().min(0).max(1).default(0.005),

  /**
   * Traces and error tracking (src/server/telemetry/). OTEL_EXPORTER_OTLP_ENDPOINT: an OTLP/HTTP collector's base
   * address (spans go to its /v1/traces as JSON); unset, and no Sentry traces: no tracing at all. SENTRY_DSN: errors
   * (5xx, unhandled, jobs failed for good) of the server, the workers and the browser; unset: off.
   * SENTRY_TRACES_SAMPLE_RATE: the share of traces Sentry gets too (0: errors only). OTEL_SERVICE_NAME defaults to
   * myinventory-app or myinventory-workers; SENTRY_RELEASE to APP_VERSION; SENTRY_ENVIRONMENT to NODE_ENV.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl(['https://', 'http://']),
  OTEL_SERVICE_NAME: optionalText,
  /**
   * The share of traces recorded for the collector, decided at the root (a trace is whole or absent). 0.1 by default:
   * tracing every request costs about a quarter of the cached path's throughput (bench:watching); 1 while debugging.
   */
  OTEL_TRACES_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0.1),
  SENTRY_DSN: optionalUrl(['https://', 'http://']),
  SENTRY_ENVIRONMENT: optionalText,
  SENTRY_RELEASE: optionalText,
  SENTRY_TRACES_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0),
});

export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment variables:\n${lines.join('\n')}`);
  }
  const env = result.data;
  if (env.UPSTASH_REDIS_REST_URL && !env.UPSTASH_REDIS_REST_TOKEN) {
    throw new Error('Invalid environment variables:\n  UPSTASH_REDIS_REST_TOKEN: required when UPSTASH_REDIS_REST_URL is set');
  }
  if (Boolean(env.HTTPS_CERT_FILE) !== Boolean(env.HTTPS_KEY_FILE)) {
    throw new Error('Invalid environment variables:\n  HTTPS_CERT_FILE, HTTPS_KEY_FILE: set both or neither');
  }
  if (env.HEARTBEAT_STALE_MS <= 2 * env.WATCHDOG_INTERVAL_MS) {
    throw new Error('Invalid environment variables:\n  HEARTBEAT_STALE_MS: must be more than twice WATCHDOG_INTERVAL_MS (an instance beats once per interval; one late beat must not count as down)');
  }
  const webKeys = ['FIREBASE_WEB_API_KEY', 'FIREBASE_WEB_PROJECT_ID', 'FIREBASE_WEB_APP_ID', 'FIREBASE_WEB_MESSAGING_SENDER_ID', 'FIREBASE_WEB_VAPID_KEY'] as const;
  const missingWeb = webKeys.filter((k) => !env[k]);
  if (missingWeb.length > 0 && missingWeb.length < webKeys.length) {
    throw new Error(`Invalid environment variables:\n  ${missingWeb.join(', ')}: required with the other FIREBASE_WEB_* variables (set all five or none)`);
  }
  if (env.FCM_PROJECT_ID && env.FIREBASE_WEB_PROJECT_ID && env.FCM_PROJECT_ID !== env.FIREBASE_WEB_PROJECT_ID) {
    throw new Error('Invalid environment variables:\n  FIREBASE_WEB_PROJECT_ID: must equal FCM_PROJECT_ID (tokens of one project cannot be sent to from another)');
  }
  return env;
}

function load(): Env {
  try {
    return parseEnv(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}

export const env: Env = load();
