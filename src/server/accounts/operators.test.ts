import { spawn } from 'node:child_process';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awayFromMinuteEdge } from '../../../tests/helpers/clock';
import { callerFor, codeOf, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { SESSION_COOKIE, sha256 } from '../auth/secrets';
import { auditLog, operatorSessions, platformOperators } from '../db/schema';
import type { Services } from '../services';

let services: Services;
let databaseUrl: string;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  let database: { url: string };
  ({ services, database, close } = await createTestServices({ RATE_LIMIT_LOGIN_PER_MINUTE: '5' }));
  databaseUrl = database.url;
  org = await createOrgFixture(services, 'ops');
});
afterAll(() => close());

const OPERATOR_PASSWORD = 'uma senha longa de operador';

/** `npm run operator:create -- <args>` as a real process on this file's database. */
function operatorCreate(args: string[], opts: { password?: string; stdin?: string } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' };
  delete env.OPERATOR_PASSWORD;
  if (opts.password !== undefined) env.OPERATOR_PASSWORD = opts.password;
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('scripts/operator-create.ts'), ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  child.stdin.end(opts.stdin ?? '');
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const secretFrom = (setCookie: string | undefined) => new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(setCookie ?? '')?.[1] ?? null;

async function signIn(email: string, password: string, ip: string) {
  const anon = await callerFor(services, { ip });
  const result = await anon.auth.login({ email, password });
  return { result, secret: secretFrom(anon.headers.get('set-cookie')) };
}

describe('npm run operator:create', () => {
  it('creates a platform operator (password from OPERATOR_PASSWORD) who signs in like everyone and reaches only the platform', async () => {
    const run = await operatorCreate(['--email', 'Ana.Ops@Plataforma.test', '--name', 'Ana Operadora'], { password: OPERATOR_PASSWORD });
    expect(run.code, run.stderr).toBe(0);
    const created = JSON.parse(run.stdout) as { id: string; email: string; name: string };
    expect(created).toMatchObject({ email: 'ana.ops@plataforma.test', name: 'Ana Operadora' });
    const [row] = await services.db.select().from(platformOperators).where(eq(platformOperators.id, created.id));
    expect(row!.passwordHash).toMatch(/^scrypt\$/);
    expect(row!.passwordHash).not.toContain(OPERATOR_PASSWORD);
    const [audit] = await services.db.select().from(auditLog).where(eq(auditLog.entityId, created.id));
    expect(audit).toMatchObject({ action: 'operator.created', actorType: 'system', orgId: null });

    // The same login procedure, cookie and session mechanism as a user's.
    const { result, secret } = await signIn('ana.ops@plataforma.test', OPERATOR_PASSWORD, '10.1.0.1');
    expect(result).toMatchObject({ kind: 'operator', operatorId: created.id });
    expect(secret).not.toBeNull();
    const op = await callerFor(services, { sessionSecret: secret });
    expect(await op.operator.me()).toMatchObject({ id: created.id, name: 'Ana Operadora', email: 'ana.ops@plataforma.test' });
    await expect(op.operator.queues.stats()).resolves.toBeTruthy();
    // No organization's procedure, not even auth.me: the operator is no member of any.
    const refused = await op.auth.me().catch((e: unknown) => e as TRPCError);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe('FORBIDDEN');
    expect(((refused as TRPCError).cause as { reason?: string }).reason).toBe('operator_outside_orgs');
    expect(await codeOf(op.admin.users.list({ limit: 5 }))).toBe('FORBIDDEN');
    expect(await codeOf(op.admin.dlq.list({ limit: 5 }))).toBe('FORBIDDEN');
  });

  it('reads the password from stdin when OPERATOR_PASSWORD is unset', async () => {
    const run = await operatorCreate(['--email', 'bruno.ops@plataforma.test', '--name', 'Bruno Operador'], { stdin: `${OPERATOR_PASSWORD}\n` });
    expect(run.code, run.stderr).toBe(0);
    const { result } = await signIn('bruno.ops@plataforma.test', OPERATOR_PASSWORD, '10.1.0.2');
    expect(result.kind).toBe('operator');
  });

  it("refuses a user's email, a short or missing password and a missing name, and writes nothing", async () => {
    const before = await services.db.$count(platformOperators);
    const taken = await operatorCreate(['--email', `admin@${org.org.slug}.test`, '--name', 'Intrusa'], { password: OPERATOR_PASSWORD });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('already belongs to a user or an operator');
    expect((await operatorCreate(['--email', 'curta@plataforma.test', '--name', 'Curta'], { password: 'curta' })).code).toBe(2);
    expect((await operatorCreate(['--email', 'sem-senha@plataforma.test', '--name', 'Sem senha'])).code).toBe(2);
    const noName = await operatorCreate(['--email', 'sem-nome@plataforma.test'], { password: OPERATOR_PASSWORD });
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('usage: npm run operator:create');
    expect(await services.db.$count(platformOperators)).toBe(before);
  });
});

describe('a platform operator', () => {
  const email = 'carla.ops@plataforma.test';
  beforeAll(async () => {
    const run = await operatorCreate(['--email', email, '--name', 'Carla Operadora'], { password: OPERATOR_PASSWORD });
    expect(run.code, run.stderr).toBe(0);
  });

  it("keeps its email: an org's admin cannot make a user with it (email_taken, as for any taken email)", async () => {
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    const error = await admin.admin.users.create({ email, name: 'Carla', role: 'admin', password: 'longenough', storeIds: [] }).catch((e: unknown) => e as TRPCError);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('CONFLICT');
    expect(((error as TRPCError).cause as { reason?: string }).reason).toBe('email_taken');
  });

  it('signs out at once, although its session was cached', async () => {
    const { secret } = await signIn(email, OPERATOR_PASSWORD, '10.1.0.3');
    const op = await callerFor(services, { sessionSecret: secret });
    await op.operator.me();
    await op.auth.logout();
    expect(await codeOf((await callerFor(services, { sessionSecret: secret })).operator.me())).toBe('UNAUTHORIZED');
    const [session] = await services.db.select().from(operatorSessions).where(eq(operatorSessions.id, sha256(secret!)));
    expect(session!.revokedAt).not.toBeNull();
  });

  it('is held to the login rate limit like a user: the 6th try within a minute is TOO_MANY_REQUESTS', async () => {
    await awayFromMinuteEdge();
    const anon = await callerFor(services, { ip: '10.1.0.4' });
    for (let i = 0; i < 5; i++) expect(await codeOf(anon.auth.login({ email, password: `palpite ${i}` }))).toBe('UNAUTHORIZED');
    expect(await codeOf(anon.auth.login({ email, password: OPERATOR_PASSWORD }))).toBe('TOO_MANY_REQUESTS');
  });

  it('cannot sign in once deactivated, and an unknown password is answered like a user’s', async () => {
    await services.db.update(platformOperators).set({ active: false }).where(eq(platformOperators.email, email));
    const anon = await callerFor(services, { ip: '10.1.0.5' });
    const error = await anon.auth.login({ email, password: OPERATOR_PASSWORD }).catch((e: unknown) => e as TRPCError);
    expect((error as TRPCError).code).toBe('UNAUTHORIZED');
    expect((error as TRPCError).message).toBe('Email or password incorrect');
    await services.db.update(platformOperators).set({ active: true }).where(eq(platformOperators.email, email));
    // Its login attempts belong to no org: no org's audit trail shows them.
    const failures = await services.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'));
    expect(failures.filter((f) => (f.after as { email?: string }).email === email).every((f) => f.orgId === null && f.entityType === 'platform_operator')).toBe(true);
  });
});
