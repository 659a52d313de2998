import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices } from '../../../tests/helpers/harness';
import { SPAN_KIND, startOtlpStandIn, type OtlpStandIn } from '../../../tests/helpers/otlp-standin';
import { until } from '../../../tests/helpers/until';
import { spawnWorkerProcess, type WorkerProcess } from '../../../tests/helpers/worker-process';

// The worker process as `npm run workers` starts it, tracing on: its seams decide whether to trace when their modules
// load, so tracing must be on before any of them loads (telemetry/start.ts). In-process tests start tracing
// themselves and cannot see an entry that starts it too late.
let otlp: OtlpStandIn;
let worker: WorkerProcess | undefined;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  otlp = await startOtlpStandIn();
});
afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGKILL');
    await once(worker, 'exit');
  }
  await cleanup?.();
  await otlp?.close();
});

describe('the worker process with tracing on', () => {
  it('traces a job with its SQL, and the job’s log lines carry the trace id', async () => {
    const prefix = `entry-trace-${randomBytes(3).toString('hex')}:`;
    const { services, close, database } = await createTestServices({ REDIS_KEY_PREFIX: prefix });
    cleanup = close;
    const org = await createOrgFixture(services, 'entry-trace');
    worker = spawnWorkerProcess(
      { DATABASE_URL: database.url, REDIS_KEY_PREFIX: prefix, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_TRACES_SAMPLE_RATE: '1', LOG_LEVEL: 'debug' },
      { logs: true },
    );
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    await admin.admin.stores.create({ code: 'traced-entry', name: 'Loja do traço' });
    const job = await until(
      async () => otlp.spans.find((s) => s.kind === SPAN_KIND.consumer && s.name.startsWith('process domain-events')) ?? null,
      120_000,
    ).catch((error: unknown) => {
      throw new Error(`no job span from the worker process: ${String(error)}\n${worker!.stderrTail()}`);
    });
    expect(otlp.trace(job.traceId).some((s) => s.parentSpanId === job.spanId && s.attributes['db.system'] === 'postgresql'), "the job's own SQL").toBe(true);
    const jobLines = await until(async () => {
      const found = worker!.logLines().filter((l) => typeof l.requestId === 'string' && (l.requestId as string).startsWith('job:domain-events:') && l.traceId === job.traceId);
      return found.length > 0 ? found : null;
    });
    expect(jobLines.length).toBeGreaterThan(0);
  });
});
