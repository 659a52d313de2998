import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPAN_KIND, startOtlpStandIn, type OtlpStandIn } from '../../../tests/helpers/otlp-standin';
import { until } from '../../../tests/helpers/until';
import { flushTraces } from './spans';
import { startTracing } from './tracing';

// Head sampling at the door (spans.ts inServerSpan): a request the draw leaves out makes no span at all, one it keeps is
// recorded whole, and each destination takes its own share of the recorded traces by trace id. Two collectors stand
// for the OTLP one (half the traces) and Sentry's OTLP endpoint (a fifth).
const REQUESTS = 400;
let collector: OtlpStandIn;
let sentryTraces: OtlpStandIn;
let tracing: { shutdown(): Promise<void> } | null;
const lines: Record<string, unknown>[] = [];
let baseUrl: string;
let token: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  collector = await startOtlpStandIn();
  sentryTraces = await startOtlpStandIn();
  tracing = startTracing({
    serviceName: 'myinventory-sampling-test',
    release: 'test',
    environment: 'test',
    otlpEndpoint: collector.url,
    otlpSampleRate: 0.5,
    sentry: { url: `${sentryTraces.url}/v1/traces`, headers: {}, sampleRate: 0.2 },
    exportDelayMs: 100,
  });
  const { createLogger } = await import('../logger');
  const { callerFor, createOrgFixture, createTestServices } = await import('../../../tests/helpers/harness');
  const { createAppServer } = await import('../http/server');
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const { services, close } = await createTestServices({}, { logger: createLogger({ level: 'debug', destination }) });
  const org = await createOrgFixture(services, 'sampling');
  token = (await (await callerFor(services, { sessionSecret: org.secrets.admin })).admin.tokens.create({ name: 'sampling test' })).token;
  const app = createAppServer({ services });
  baseUrl = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  stop = async () => {
    await app.shutdown(1000);
    await close();
  };
});

afterAll(async () => {
  await stop?.();
  await tracing?.shutdown();
  await collector?.close();
  await sentryTraces?.close();
});

describe('head sampling at the door', () => {
  it('traces about the configured share of requests, each whole, and gives each destination its share of them', async () => {
    for (let i = 0; i < REQUESTS; i++) {
      const res = await fetch(`${baseUrl}/api/trpc/auth.me`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': `sampling-${i}` } });
      expect(res.status).toBe(200);
    }
    // A request's log lines carry a trace id exactly when it was drawn.
    const traceOf = new Map<string, string | undefined>();
    for (const line of lines) {
      const id = line.requestId as string | undefined;
      if (id?.startsWith('sampling-')) traceOf.set(id, (traceOf.get(id) ?? (line.traceId as string | undefined)) || undefined);
    }
    expect(traceOf.size).toBe(REQUESTS);
    const drawn = new Set([...traceOf.values()].filter((t): t is string => t !== undefined));
    // Binomial(400, 0.5): mean 200, σ 10; 4σ either side.
    expect(drawn.size).toBeGreaterThan(160);
    expect(drawn.size).toBeLessThan(240);

    // The collector (share 0.5 = every recorded trace) holds exactly the drawn ones, each with its server and tRPC spans.
    const exported = await until(async () => {
      await flushTraces();
      const ids = new Set(collector.spans.filter((s) => s.kind === SPAN_KIND.server).map((s) => s.traceId));
      return ids.size >= drawn.size ? ids : null;
    });
    expect([...exported].sort()).toEqual([...drawn].sort());
    for (const traceId of drawn) {
      const spans = collector.trace(traceId);
      const server = spans.find((s) => s.kind === SPAN_KIND.server)!;
      expect(spans.some((s) => s.name === 'trpc auth.me' && s.parentSpanId === server.spanId), `trace ${traceId} is whole`).toBe(true);
    }
    // Nothing was exported for the requests the draw left out: no span outside the drawn traces.
    expect(collector.spans.filter((s) => !drawn.has(s.traceId))).toEqual([]);

    // Sentry's share (0.2 of all requests) is taken from the recorded traces by trace id: a subset of the collector's.
    await flushTraces();
    const toSentry = new Set(sentryTraces.spans.filter((s) => s.kind === SPAN_KIND.server).map((s) => s.traceId));
    for (const id of toSentry) expect(drawn.has(id)).toBe(true);
    // Binomial(400, 0.2): mean 80, σ 8.
    expect(toSentry.size).toBeGreaterThan(48);
    expect(toSentry.size).toBeLessThan(112);
  });
});
