import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import { parseEnv, type Env } from '~/env';
import { createCaller } from '~/server/api/root';
import { createContext } from '~/server/api/trpc';
import { hashPassword } from '~/server/auth/password';
import { newSessionSecret, sha256 } from '~/server/auth/secrets';
import { withCheckDigit } from '~/lib/ean';
import { loginSessions, operatorSessions, organizations, platformOperators, products, storeMemberships, stores, users, type UserRole } from '~/server/db/schema';
import { createLogger, type Logger } from '~/server/logger';
import { createServices, type Services } from '~/server/services';
import { createTestDatabase } from './db';
import { removeKeysUnder } from './redis-keys';

export const TEST_PASSWORD = 'correct horse battery';

/** Services on this test file's own database and its own Redis key prefix; `overrides` change any env value. */
export async function createTestServices(overrides: Partial<Record<keyof Env, string>> = {}, opts: { logger?: Logger } = {}) {
  const database = await createTestDatabase();
  const env = parseEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: database.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `mi-test-${randomBytes(4).toString('hex')}:`,
    DATABASE_POOL_MAX: '5',
    RATE_LIMIT_ANON_PER_MINUTE: '10000',
    RATE_LIMIT_USER_PER_MINUTE: '10000',
    // No test reaches the internet (Open Food Facts is a stand-in where a test wants it), and photos go to a
    // directory of this test file's own.
    OPENFOODFACTS_URL: '',
    DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'mi-test-data-')),
    // DATABASE_PREPARE=false runs the suite's statements as they go behind PgBouncer in transaction mode (unprepared).
    ...(process.env.DATABASE_PREPARE ? { DATABASE_PREPARE: process.env.DATABASE_PREPARE } : {}),
    ...overrides,
  });
  const services = createServices(env, { logger: opts.logger ?? createLogger({ level: env.LOG_LEVEL }), databaseUrl: database.url });
  return {
    services,
    database,
    async close() {
      await services.close();
      await database.drop();
      await rm(env.DATA_DIR, { recursive: true, force: true });
      // BullMQ leaves a few hundred keys per test file (finished jobs, metrics, events streams).
      if (env.REDIS_URL) await removeKeysUnder(env.REDIS_URL, env.REDIS_KEY_PREFIX);
    },
  };
}

export type OrgFixture = Awaited<ReturnType<typeof createOrgFixture>>;
let sharedHash: Promise<string> | undefined;

/** An org with two stores and one signed-in user per role (real session rows, real cookies' secrets). */
export async function createOrgFixture(services: Services, slug: string) {
  const passwordHash = await (sharedHash ??= hashPassword(TEST_PASSWORD));
  const [org] = await services.db.insert(organizations).values({ name: `Org ${slug}`, slug }).returning();
  const storeRows = await services.db
    .insert(stores)
    .values([
      { orgId: org!.id, code: `${slug}-1`, name: `Loja ${slug} 1` },
      { orgId: org!.id, code: `${slug}-2`, name: `Loja ${slug} 2` },
    ])
    .returning();
  const roles: UserRole[] = ['clerk', 'buyer', 'manager', 'admin'];
  const userRows = await services.db
    .insert(users)
    .values(roles.map((role) => ({ orgId: org!.id, email: `${role}@${slug}.test`, name: `${role} ${slug}`, role, passwordHash })))
    .returning();
  const byRole = Object.fromEntries(userRows.map((u) => [u.role, u])) as Record<UserRole, (typeof userRows)[number]>;
  await services.db.insert(storeMemberships).values([
    { orgId: org!.id, userId: byRole.clerk.id, storeId: storeRows[0]!.id },
    { orgId: org!.id, userId: byRole.manager.id, storeId: storeRows[0]!.id },
    { orgId: org!.id, userId: byRole.manager.id, storeId: storeRows[1]!.id },
  ]);
  const secrets = {} as Record<UserRole, string>;
  for (const role of roles) {
    const secret = newSessionSecret();
    secrets[role] = secret;
    await services.db.insert(loginSessions).values({ id: sha256(secret), orgId: org!.id, userId: byRole[role].id, expiresAt: new Date(Date.now() + 3600_000) });
  }
  const productRows = await services.db
    .insert(products)
    .values(
      ['Arroz 5kg', 'Feijão 1kg', 'Café 500g'].map((name, i) => ({
        orgId: org!.id,
        ean: testEan(slug, i),
        name,
        category: i === 2 ? 'Bebidas' : 'Mercearia',
        referencePrice: 10 + i * 5.5,
        buyerId: byRole.buyer.id,
      })),
    )
    .returning();
  return { org: org!, stores: storeRows, users: byRole, secrets, products: productRows };
}

export type OperatorFixture = Awaited<ReturnType<typeof createOperatorFixture>>;

/** A platform operator (outside every org) with a real session row: `secret` is its cookie's secret. */
export async function createOperatorFixture(services: Services, slug: string) {
  const passwordHash = await (sharedHash ??= hashPassword(TEST_PASSWORD));
  const [operator] = await services.db.insert(platformOperators).values({ email: `operator@${slug}.test`, name: `Operadora ${slug}`, passwordHash }).returning();
  const secret = newSessionSecret();
  await services.db.insert(operatorSessions).values({ id: sha256(secret), operatorId: operator!.id, expiresAt: new Date(Date.now() + 3600_000) });
  return { operator: operator!, secret };
}

export type CallerOptions = { sessionSecret?: string | null; bearer?: string | null; ip?: string };

/** A tRPC caller that goes through the real context: credential resolution, rate limit, roles. */
export async function callerFor(services: Services, opts: CallerOptions = {}) {
  const headers = new Map<string, string>();
  const ctx = await createContext({
    services,
    requestId: `test-${randomBytes(4).toString('hex')}`,
    ip: opts.ip ?? '127.0.0.1',
    userAgent: 'vitest',
    credentials: { sessionSecret: opts.sessionSecret ?? null, bearer: opts.bearer ?? null },
    secure: false,
    setHeader: (name, value) => headers.set(name.toLowerCase(), value),
  });
  const caller = createCaller(ctx);
  // The caller is a proxy that reads any property as a procedure path, so `headers` is served by an outer proxy.
  return new Proxy(caller, { get: (target, key) => (key === 'headers' ? headers : Reflect.get(target, key)) }) as typeof caller & {
    headers: Map<string, string>;
  };
}

export const callerAs = (services: Services, fixture: OrgFixture, role: UserRole) => callerFor(services, { sessionSecret: fixture.secrets[role] });

/** A valid EAN-13 unique to a fixture slug and index. */
export function testEan(slug: string, index: number): string {
  let hash = 7;
  for (const ch of slug) hash = (hash * 31 + ch.charCodeAt(0)) % 1_000_000;
  return withCheckDigit(`789${String(hash).padStart(6, '0')}${String(index).padStart(3, '0')}`);
}

/** The tRPC error code a call ends with ('OK' when it succeeds). */
export const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: unknown) => (e instanceof TRPCError ? e.code : `UNEXPECTED ${(e as Error).message}`),
  );
