import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { startSentryStandIn, type SentryStandIn } from '../../../tests/helpers/sentry-standin';
import { until } from '../../../tests/helpers/until';
import { authedProcedure, createTRPCRouter } from '../api/trpc';
import { SESSION_COOKIE } from '../auth/secrets';
import { createAppServer } from '../http/server';
import { queueNames } from '../queues/definitions';
import { startWorkers, type WorkerRuntime } from '../runtime/workers';
import type { Services } from '../services';
import { startErrorTracking, stopErrorTracking } from './errors';
import { flushErrors } from './report';

// Sentry's client is global to the process: this file starts it once, pointed at a local stand-in of its endpoint.
let sentry: SentryStandIn;
let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let app: ReturnType<typeof createAppServer>;
let workers: WorkerRuntime;
let baseUrl: string;

/** Procedures made for this test: one fails as a bug would, one refuses its input. */
const router = createTRPCRouter({
  breaks: authedProcedure.input(z.object({ note: z.string() })).mutation(() => {
    throw new Error('the disk is on fire (told by admin@errors.test)');
  }),
  counts: authedProcedure.input(z.object({ quantity: z.number().int().positive() })).mutation(({ input }) => input.quantity),
});

beforeAll(async () => {
  sentry = await startSentryStandIn();
  startErrorTracking({ dsn: sentry.dsn, environment: 'test-env', release: '9.9.9-test', role: 'app', serverName: 'errors-test' });
  ({ services, close } = await createTestServices({ SENTRY_DSN: sentry.dsn }));
  org = await createOrgFixture(services, 'errors');
  app = createAppServer({ services, router });
  baseUrl = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  workers = await startWorkers(services, { sender: null });
});
afterAll(async () => {
  await app?.shutdown(1000);
  await workers?.stop(2000);
  await close?.();
  await stopErrorTracking();
  await sentry?.close();
});

const call = (path: string, input: unknown, requestId: string) =>
  fetch(`${baseUrl}/api/trpc/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': requestId,
      cookie: `${SESSION_COOKIE}=${org.secrets.admin}; theme=dark`,
    },
    body: JSON.stringify({ json: input }),
  });

describe('error tracking', () => {
  it('reports a 500 with its request, org, user, environment and release, and without body, cookies or emails', async () => {
    const res = await call('breaks', { note: 'a secret note in the body' }, 'errors-test-500');
    expect(res.status).toBe(500);
    await flushErrors();
    const event = await until(async () => sentry.events().find((e) => e.tags?.request_id === 'errors-test-500'));

    expect(event.tags).toMatchObject({ request_id: 'errors-test-500', org_id: org.org.id, user_id: org.users.admin.id, procedure: 'breaks', code: 'INTERNAL_SERVER_ERROR' });
    expect(event.environment).toBe('test-env');
    expect(event.release).toBe('9.9.9-test');
    expect(event.exception?.values?.[0]?.value).toBe('the disk is on fire (told by [email])');
    const raw = sentry.envelopes.map((e) => e.raw).join('\n');
    expect(raw).not.toContain('a secret note in the body');
    expect(raw).not.toContain(org.secrets.admin);
    expect(raw).not.toContain('theme=dark');
    expect(raw).not.toContain('admin@errors.test');
    expect(event.request?.data).toBeUndefined();
    expect(event.request?.cookies).toBeUndefined();
    expect(event.user).toEqual({ id: org.users.admin.id });
  });

  it('does not report a refused input (BAD_REQUEST)', async () => {
    const res = await call('counts', { quantity: -3 }, 'errors-test-400');
    expect(res.status).toBe(400);
    // A 500 after it, reported: once it arrived, the 400 would have too.
    await call('breaks', { note: 'x' }, 'errors-test-after-400');
    await flushErrors();
    await until(async () => sentry.events().find((e) => e.tags?.request_id === 'errors-test-after-400'));
    expect(sentry.events().filter((e) => e.tags?.request_id === 'errors-test-400')).toEqual([]);
  });

  it('reports a job that failed on its last attempt, with its queue and job', async () => {
    // A payload no processor accepts: unrecoverable, so its first attempt is its last (dead-lettered and reported).
    const job = await services.queues.queue(queueNames.domainEvents).add('broken', { eventId: 'not a number', orgId: org.org.id }, { jobId: 'errors-test-broken' });
    await until(async () => {
      await flushErrors();
      return sentry.events().find((e) => e.tags?.request_id === `job:${queueNames.domainEvents}:${job.id}`);
    }, 15_000).then((event) => {
      expect(event.tags).toMatchObject({ queue: queueNames.domainEvents, job_name: 'broken', org_id: org.org.id });
      expect(event.exception?.values?.[0]?.value).toContain('Invalid payload');
    });
  });

  it("forwards the browser's envelopes for our DSN through /api/monitoring, and refuses any other or an oversized one", async () => {
    const envelope = (dsn: string, message: string) =>
      [JSON.stringify({ dsn, sent_at: new Date().toISOString() }), JSON.stringify({ type: 'event' }), JSON.stringify({ event_id: 'b'.repeat(32), message })].join('\n');
    const post = (body: string) => fetch(`${baseUrl}/api/monitoring`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body });

    expect((await post(envelope(sentry.dsn, 'from the browser'))).status).toBe(200);
    expect(sentry.events().some((e) => e.message === 'from the browser')).toBe(true);
    expect((await post(envelope('https://key@elsewhere.example/42', 'relayed?'))).status).toBe(400);
    expect((await post(envelope(sentry.dsn.replace('/42', '/43'), 'other project?'))).status).toBe(400);
    expect((await post(envelope(sentry.dsn, 'x'.repeat(300 * 1024)))).status).toBe(413);
    expect(sentry.events().some((e) => e.message === 'relayed?' || e.message === 'other project?')).toBe(false);
  });
});
