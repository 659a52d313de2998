import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices, TEST_PASSWORD, type OrgFixture } from '../../tests/helpers/harness';
import { awayFromMinuteEdge } from '../../tests/helpers/clock';
import { startRedisServer, type RedisServerHandle } from '../../tests/helpers/redis-server';
import { SESSION_COOKIE } from './auth/secrets';
import { checkHealth, healthHttpStatus } from './observability/health';
import type { Services } from './services';

/** Redis is an accelerator: with it gone, sign-in, sessions and reads keep working, and it comes back by itself. */
let redis: RedisServerHandle;
let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  redis = await startRedisServer();
  ({ services, close } = await createTestServices({ REDIS_URL: redis.url, RATE_LIMIT_LOGIN_PER_MINUTE: '3' }));
  org = await createOrgFixture(services, 'outage');
});
afterAll(async () => {
  await close();
  await redis.stop();
});

const secretFrom = (setCookie: string | undefined) => new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(setCookie ?? '')?.[1] ?? null;

describe('with Redis down', () => {
  it('signs in, checks sessions from PostgreSQL, serves lists, and reports degraded (200)', async () => {
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    await admin.admin.stores.list({ limit: 10 }); // cached while Redis is up
    await redis.kill();

    const anon = await callerFor(services, { ip: '10.9.0.1' });
    await anon.auth.login({ email: 'clerk@outage.test', password: TEST_PASSWORD });
    const me = await (await callerFor(services, { sessionSecret: secretFrom(anon.headers.get('set-cookie')) })).auth.me();
    expect(me.user.email).toBe('clerk@outage.test');
    expect((await admin.admin.stores.list({ limit: 10 })).items).toHaveLength(2);

    const report = await checkHealth(services);
    expect(report.status).toBe('degraded');
    expect(report.checks.redis.status).toBe('down');
    expect(healthHttpStatus(report)).toBe(200);
    expect(services.cache.stats().errors).toBeGreaterThan(0);
  });

  it('still limits login attempts, in process', async () => {
    const anon = await callerFor(services, { ip: '10.9.0.2' });
    await awayFromMinuteEdge(10_000); // each failed attempt waits out Redis's timeout first
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) codes.push(await anon.auth.login({ email: 'buyer@outage.test', password: 'wrong' }).then(() => 'OK', (e: { code: string }) => e.code));
    expect(codes).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'TOO_MANY_REQUESTS']);
  });

  it('uses the cache again once Redis is back, without a restart', async () => {
    await redis.start();
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    let hits = 0;
    for (let attempt = 0; attempt < 50 && hits === 0; attempt++) {
      const before = services.cache.stats().hits;
      await admin.admin.stores.list({ limit: 10 });
      await admin.admin.stores.list({ limit: 10 });
      hits = services.cache.stats().hits - before;
      if (hits === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(hits).toBeGreaterThan(0);
    expect((await checkHealth(services)).status).toBe('healthy');
  });
});
