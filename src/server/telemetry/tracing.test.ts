import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPAN_KIND, startOtlpStandIn, type OtlpStandIn } from '../../../tests/helpers/otlp-standin';
import { startSentryStandIn, type SentryStandIn } from '../../../tests/helpers/sentry-standin';
import { until } from '../../../tests/helpers/until';
import { startErrorTracking, stopErrorTracking } from './errors';
import { flushErrors } from './report';
import { flushTraces } from './spans';
import { startTracing } from './tracing';

// OpenTelemetry registers its globals once per process: tracing is started here, before the modules it patches and
// the seams that check it (logger, database client, tRPC, queues) are imported, so those come in dynamically.
let otlp: OtlpStandIn;
let sentry: SentryStandIn;
let failingUrl: string;
let tracing: { shutdown(): Promise<void> } | null;
const lines: Record<string, unknown>[] = [];
let stop: () => Promise<void>;
let baseUrl: string;
let token: string;
let waitForEvent: (storeId: string) => Promise<void>;

beforeAll(async () => {
  otlp = await startOtlpStandIn();
  tracing = startTracing({ serviceName: 'myinventory-test', release: 'test', environment: 'test', otlpEndpoint: otlp.url, exportDelayMs: 100 });
  sentry = await startSentryStandIn();
  startErrorTracking({ dsn: sentry.dsn, environment: 'test', release: 'test', role: 'app', serverName: 'tracing-test' });

  const { createLogger } = await import('../logger');
  const { callerFor, createOrgFixture, createTestServices } = await import('../../../tests/helpers/harness');
  const { createAppServer } = await import('../http/server');
  const { startWorkers } = await import('../runtime/workers');
  const { sql } = await import('drizzle-orm');

  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const { services, close } = await createTestServices({}, { logger });
  const org = await createOrgFixture(services, 'trace');
  token = (await (await callerFor(services, { sessionSecret: org.secrets.admin })).admin.tokens.create({ name: 'trace test' })).token;
  const workers = await startWorkers(services, { sender: null });
  const app = createAppServer({ services });
  baseUrl = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  const { createTRPCRouter, publicProcedure } = await import('../api/trpc');
  const failing = createAppServer({
    services,
    router: createTRPCRouter({
      breaks: publicProcedure.mutation(() => {
        throw new Error('broken on purpose');
      }),
    }),
  });
  failingUrl = `http://127.0.0.1:${await failing.listen(0, '127.0.0.1')}`;
  waitForEvent = async (storeId) => {
    await until(async () => {
      const [row] = await services.db.execute<{ processed: boolean }>(
        sql`select processed_at is not null as processed from event_log where type = 'store.created' and payload ->> 'storeId' = ${storeId}`,
      );
      return row?.processed;
    });
  };
  stop = async () => {
    await app.shutdown(1000);
    await failing.shutdown(1000);
    await workers.stop(2000);
    await close();
  };
});

afterAll(async () => {
  await stop?.();
  await tracing?.shutdown();
  await stopErrorTracking();
  await otlp?.close();
  await sentry?.close();
});

describe('one trace from the request to the worker', () => {
  it('covers the HTTP request, the tRPC call, its SQL and Redis, and the job that applies its event, and its log lines carry it', async () => {
    expect(tracing).not.toBeNull();
    const requestId = 'trace-test-request-1';
    const res = await fetch(`${baseUrl}/api/trpc/admin.stores.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ json: { code: 'traced-9', name: 'Loja traçada' } }),
    });
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as { result: { data: { json: { id: string } } } };
    await waitForEvent(result.data.json.id);

    // The request's log lines carry its trace; that trace id is what the collector must hold.
    const requestLines = lines.filter((l) => l.requestId === requestId);
    expect(requestLines.length).toBeGreaterThan(0);
    const traceId = requestLines[0]!.traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    for (const line of requestLines) expect(line).toMatchObject({ traceId, spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });

    const spans = await until(async () => {
      await flushTraces();
      const found = otlp.trace(traceId);
      return found.some((s) => s.kind === SPAN_KIND.consumer && s.name.startsWith('process domain-events')) ? found : null;
    });

    const server = spans.find((s) => s.kind === SPAN_KIND.server);
    expect(server, 'the HTTP server span').toBeDefined();
    expect(server!.parentSpanId).toBeNull();
    const call = spans.find((s) => s.name === 'trpc admin.stores.create');
    expect(call, 'the tRPC span').toMatchObject({ parentSpanId: server!.spanId, attributes: { 'trpc.type': 'mutation', 'trpc.code': 'OK' } });
    const statements = spans.filter((s) => s.attributes['db.system'] === 'postgresql');
    expect(statements.length).toBeGreaterThan(0);
    const insert = statements.find((s) => String(s.attributes['db.statement']).includes('insert into "stores"'));
    expect(insert, 'the INSERT of the store').toBeDefined();
    // The statement's text, never its values.
    expect(String(insert!.attributes['db.statement'])).not.toContain('Loja traçada');
    expect(spans.some((s) => (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'redis'), 'a Redis command').toBe(true);
    const job = spans.find((s) => s.kind === SPAN_KIND.consumer && s.name.startsWith('process domain-events'))!;
    // The job's span descends from the request's: its parent is in the same trace (BullMQ's producer or the request).
    expect(spans.some((s) => s.spanId === job.parentSpanId)).toBe(true);
    expect(spans.some((s) => s.parentSpanId === job.spanId && s.attributes['db.system'] === 'postgresql'), "the job's own SQL").toBe(true);

    // The worker's lines for that job carry the same trace.
    const jobLines = lines.filter((l) => typeof l.requestId === 'string' && (l.requestId as string).startsWith('job:domain-events:') && l.traceId === traceId);
    expect(jobLines.length, "the job's log lines").toBeGreaterThan(0);
  });

  it('leaves a statement outside any request without a span (the relay polls every second)', async () => {
    await flushTraces();
    const roots = otlp.spans.filter((s) => s.parentSpanId === null);
    expect(roots.filter((s) => s.attributes['db.system'] === 'postgresql')).toEqual([]);
    expect(roots.filter((s) => s.kind === SPAN_KIND.internal)).toEqual([]);
  });

  it("links a reported error to the request's trace: Sentry's event carries the OpenTelemetry trace id", async () => {
    const requestId = 'trace-test-request-500';
    const res = await fetch(`${failingUrl}/api/trpc/breaks`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': requestId }, body: '{}' });
    expect(res.status).toBe(500);
    const traceId = lines.find((l) => l.requestId === requestId)?.traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await flushErrors();
    const event = await until(async () => sentry.events().find((e) => e.tags?.request_id === requestId));
    expect(event.contexts?.trace?.trace_id).toBe(traceId);
  });
});
