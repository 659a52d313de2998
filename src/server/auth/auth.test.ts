import { TRPCError } from '@trpc/server';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices, TEST_PASSWORD, type OrgFixture } from '../../../tests/helpers/harness';
import { awayFromMinuteEdge } from '../../../tests/helpers/clock';
import { countQueries } from '../db/query-count';
import { apiTokens, auditLog, loginSessions } from '../db/schema';
import type { Services } from '../services';
import { resolveCaller } from './authenticate';
import { SESSION_COOKIE } from './secrets';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices({ RATE_LIMIT_LOGIN_PER_MINUTE: '5' }));
  org = await createOrgFixture(services, 'auth');
});
afterAll(() => close());

const secretFrom = (setCookie: string | undefined) => new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(setCookie ?? '')?.[1] ?? null;

async function expectCode(promise: Promise<unknown>, code: TRPCError['code']) {
  await expect(promise).rejects.toSatisfy((e: unknown) => e instanceof TRPCError && e.code === code);
}

describe('login', () => {
  it('sets an HTTP-only SameSite=Lax session cookie that signs the user in, and audits it', async () => {
    const anon = await callerFor(services, { ip: '10.0.0.1' });
    const result = await anon.auth.login({ email: 'MANAGER@auth.test', password: TEST_PASSWORD });
    expect(result).toMatchObject({ kind: 'member', userId: org.users.manager.id });
    const cookie = anon.headers.get('set-cookie');
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const me = await (await callerFor(services, { sessionSecret: secretFrom(cookie) })).auth.me();
    expect(me.user.email).toBe('manager@auth.test');
    expect(me.organization.id).toBe(org.org.id);
    const audits = await services.db.select().from(auditLog).where(and(eq(auditLog.action, 'auth.login'), eq(auditLog.entityId, org.users.manager.id)));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.orgId).toBe(org.org.id);
  });

  it('refuses a wrong password with UNAUTHORIZED, writes no session and audits the failure', async () => {
    const before = await services.db.$count(loginSessions);
    const anon = await callerFor(services, { ip: '10.0.0.2' });
    await expectCode(anon.auth.login({ email: 'clerk@auth.test', password: 'wrong password' }), 'UNAUTHORIZED');
    expect(await services.db.$count(loginSessions)).toBe(before);
    const failures = await services.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'));
    expect(failures.some((f) => f.entityId === org.users.clerk.id && (f.after as { reason: string }).reason === 'wrong_password')).toBe(true);
  });

  it('answers an unknown email exactly like a wrong password', async () => {
    const anon = await callerFor(services, { ip: '10.0.0.3' });
    const error = await anon.auth.login({ email: 'ghost@auth.test', password: 'whatever' }).catch((e: unknown) => e as TRPCError);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('UNAUTHORIZED');
    expect((error as TRPCError).message).toBe('Email or password incorrect');
  });

  it('stops brute force: the 6th try within a minute for one account and IP is TOO_MANY_REQUESTS with Retry-After', async () => {
    const anon = await callerFor(services, { ip: '10.0.0.4' });
    await awayFromMinuteEdge();
    for (let i = 0; i < 5; i++) await expectCode(anon.auth.login({ email: 'buyer@auth.test', password: `guess ${i}` }), 'UNAUTHORIZED');
    await expectCode(anon.auth.login({ email: 'buyer@auth.test', password: TEST_PASSWORD }), 'TOO_MANY_REQUESTS');
    expect(Number(anon.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(anon.headers.get('x-ratelimit-remaining')).toBe('0');
    // Another IP still gets its own tries.
    const other = await callerFor(services, { ip: '10.0.0.5' });
    await expect(other.auth.login({ email: 'buyer@auth.test', password: TEST_PASSWORD })).resolves.toBeTruthy();
  });

  it('rejects input with unknown fields or a bad email as BAD_REQUEST naming the field', async () => {
    const anon = await callerFor(services);
    const error = (await anon.auth.login({ email: 'not-an-email', password: 'x' }).catch((e: unknown) => e)) as TRPCError;
    expect(error.code).toBe('BAD_REQUEST');
    await expectCode(anon.auth.login({ email: 'a@b.test', password: 'x', admin: true } as never), 'BAD_REQUEST');
  });
});

describe('sessions', () => {
  it('checks a warm session without a single SQL statement', async () => {
    const credentials = { sessionSecret: org.secrets.clerk, bearer: null };
    await resolveCaller(services, credentials);
    const { result, queries } = await countQueries(() => resolveCaller(services, credentials));
    expect(result.caller?.kind === 'session' && result.caller.userId).toBe(org.users.clerk.id);
    expect(queries.count).toBe(0);
  });

  it('logout ends the session at once, although it was cached', async () => {
    const anon = await callerFor(services, { ip: '10.0.1.1' });
    await anon.auth.login({ email: 'clerk@auth.test', password: TEST_PASSWORD });
    const secret = secretFrom(anon.headers.get('set-cookie'));
    const signedIn = await callerFor(services, { sessionSecret: secret });
    await signedIn.auth.me();
    await signedIn.auth.logout();
    await expectCode((await callerFor(services, { sessionSecret: secret })).auth.me(), 'UNAUTHORIZED');
  });

  it('deactivating a user signs them out everywhere at once', async () => {
    const anon = await callerFor(services, { ip: '10.0.1.2' });
    await anon.auth.login({ email: 'buyer@auth.test', password: TEST_PASSWORD });
    const secret = secretFrom(anon.headers.get('set-cookie'));
    await (await callerFor(services, { sessionSecret: secret })).auth.me();
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    await admin.admin.users.update({ id: org.users.buyer.id, active: false });
    await expectCode((await callerFor(services, { sessionSecret: secret })).auth.me(), 'UNAUTHORIZED');
    await admin.admin.users.update({ id: org.users.buyer.id, active: true });
  });

  it('a role change applies to cached sessions at once', async () => {
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    const clerk = () => callerFor(services, { sessionSecret: org.secrets.clerk });
    await expectCode((await clerk()).admin.stores.list({ limit: 5 }), 'FORBIDDEN');
    await admin.admin.users.update({ id: org.users.clerk.id, role: 'admin' });
    await expect((await clerk()).admin.stores.list({ limit: 5 })).resolves.toBeTruthy();
    await admin.admin.users.update({ id: org.users.clerk.id, role: 'clerk' });
    await expectCode((await clerk()).admin.stores.list({ limit: 5 }), 'FORBIDDEN');
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, act as their user, and stop working as soon as they are revoked', async () => {
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    const created = await admin.admin.tokens.create({ name: 'relatórios', userId: org.users.manager.id });
    expect(created.token).toMatch(/^mi_/);
    const [row] = await services.db.select().from(apiTokens).where(eq(apiTokens.id, created.id));
    expect(row!.tokenHash).not.toContain(created.token);
    expect(JSON.stringify(await admin.admin.tokens.list({ limit: 50 }))).not.toContain(created.token);

    const viaToken = await callerFor(services, { bearer: created.token });
    const me = await viaToken.auth.me();
    expect(me.user.id).toBe(org.users.manager.id);
    expect(me.via).toBe('token');

    await admin.admin.tokens.revoke({ id: created.id });
    await expectCode((await callerFor(services, { bearer: created.token })).auth.me(), 'UNAUTHORIZED');
    // Revoking twice is fine (a retried call).
    await expect(admin.admin.tokens.revoke({ id: created.id })).resolves.toEqual({ id: created.id, revoked: true });
    const audits = await services.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, created.id));
    expect(audits.map((a) => a.action).sort()).toEqual(['token.created', 'token.revoked']);
  });

  it('treats a malformed bearer token as UNAUTHORIZED, not as anonymous', async () => {
    await expectCode((await callerFor(services, { bearer: 'Basic abc' })).auth.me(), 'UNAUTHORIZED');
  });
});
