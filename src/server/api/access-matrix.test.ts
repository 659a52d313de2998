import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices, TEST_PASSWORD, type OrgFixture } from '../../../tests/helpers/harness';
import { userRoles, type UserRole } from '../db/schema';
import type { Services } from '../services';
import { appRouter } from './root';
import type { ProcedureMeta } from './trpc';

/**
 * Every procedure of the router needs an entry here (the first test fails otherwise). Each entry says who may
 * call it and gives an input that points at rows of org A; the matrix then proves that
 *  - a signed-out caller gets UNAUTHORIZED (except public procedures),
 *  - every role outside `roles` gets FORBIDDEN,
 *  - a caller of org B with an allowed role gets NOT_FOUND for org A's ids, or (for lists) sees none of org A's rows.
 */
type Access = {
  roles: readonly UserRole[] | 'any-signed-in' | 'public';
  input: (a: OrgFixture, extra: Extra) => unknown;
  crossOrg: 'not-found' | { listOf: (result: unknown) => string[] } | 'own-data';
};
type Extra = { tokenId: string };

const items = (r: unknown) => (r as { items: { id: string | number }[] }).items.map((i) => String(i.id));

const matrix: Record<string, Access> = {
  'auth.login': { roles: 'public', input: (a) => ({ email: `clerk@${a.org.slug}.test`, password: TEST_PASSWORD }), crossOrg: 'own-data' },
  'auth.logout': { roles: 'any-signed-in', input: () => undefined, crossOrg: 'own-data' },
  'auth.me': { roles: 'any-signed-in', input: () => undefined, crossOrg: 'own-data' },
  'admin.users.list': { roles: ['admin'], input: () => ({ limit: 50 }), crossOrg: { listOf: items } },
  'admin.users.byId': { roles: ['admin'], input: (a) => ({ id: a.users.clerk.id }), crossOrg: 'not-found' },
  'admin.users.create': {
    roles: ['admin'],
    input: (a) => ({ email: `new-${randomUUID()}@x.test`, name: 'Novo', role: 'clerk', password: 'longenough', storeIds: [a.stores[0]!.id] }),
    crossOrg: 'not-found',
  },
  'admin.users.update': { roles: ['admin'], input: (a) => ({ id: a.users.buyer.id, name: 'Renomeado' }), crossOrg: 'not-found' },
  'admin.stores.list': { roles: ['admin'], input: () => ({ limit: 50 }), crossOrg: { listOf: items } },
  'admin.stores.byId': { roles: ['admin'], input: (a) => ({ id: a.stores[0]!.id }), crossOrg: 'not-found' },
  'admin.stores.create': { roles: ['admin'], input: () => ({ code: `S${Math.floor(Math.random() * 1e9)}`, name: 'Nova loja' }), crossOrg: 'own-data' },
  'admin.stores.update': { roles: ['admin'], input: (a) => ({ id: a.stores[1]!.id, city: 'Campinas' }), crossOrg: 'not-found' },
  'admin.tokens.create': { roles: ['admin'], input: (a) => ({ name: 'script', userId: a.users.manager.id }), crossOrg: 'not-found' },
  'admin.tokens.list': { roles: ['admin'], input: () => ({ limit: 50 }), crossOrg: { listOf: items } },
  'admin.tokens.revoke': { roles: ['admin'], input: (_a, extra) => ({ id: extra.tokenId }), crossOrg: 'not-found' },
  'admin.audit.list': { roles: ['admin'], input: () => ({ limit: 200 }), crossOrg: { listOf: items } },
};

let services: Services;
let close: () => Promise<void>;
let orgA: OrgFixture;
let orgB: OrgFixture;
let extra: Extra;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  orgA = await createOrgFixture(services, 'matrix-a');
  orgB = await createOrgFixture(services, 'matrix-b');
  const adminA = await callerFor(services, { sessionSecret: orgA.secrets.admin });
  extra = { tokenId: (await adminA.admin.tokens.create({ name: 'matrix' })).id };
});
afterAll(() => close());

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta } }>);

async function call(path: string, opts: { sessionSecret?: string }, input: unknown) {
  const caller = (await callerFor(services, opts)) as unknown as Record<string, unknown>;
  const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (i: unknown) => Promise<unknown>;
  return fn(input);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return error instanceof TRPCError ? error.code : `UNEXPECTED ${(error as Error).message}`;
  }
}

describe('access matrix', () => {
  it('has an entry for every procedure of the router, and no stale ones', () => {
    const paths = procedures.map(([path]) => path).sort();
    expect(Object.keys(matrix).sort()).toEqual(paths);
  });

  it('declares the same roles as the procedures enforce (meta.roles)', () => {
    for (const [path, procedure] of procedures) {
      const declared = matrix[path]!.roles;
      const metaRoles = procedure._def.meta?.roles;
      if (Array.isArray(declared)) expect([...(metaRoles ?? [])].sort(), path).toEqual([...declared].sort());
      else expect(metaRoles, path).toBeUndefined();
    }
  });

  for (const [path, access] of Object.entries(matrix)) {
    describe(path, () => {
      if (access.roles === 'public') {
        it('is open to a signed-out caller', async () => {
          expect(await codeOf(call(path, {}, access.input(orgA, extra)))).toBe('OK');
        });
      } else {
        it('refuses a signed-out caller with UNAUTHORIZED', async () => {
          expect(await codeOf(call(path, {}, access.input(orgA, extra)))).toBe('UNAUTHORIZED');
        });
        it('refuses a malformed session cookie with UNAUTHORIZED', async () => {
          expect(await codeOf(call(path, { sessionSecret: 'not-a-real-session' }, access.input(orgA, extra)))).toBe('UNAUTHORIZED');
        });
      }
      const allowed: readonly UserRole[] = Array.isArray(access.roles) ? access.roles : userRoles;
      for (const role of userRoles.filter((r) => !allowed.includes(r))) {
        it(`refuses role ${role} with FORBIDDEN and changes nothing`, async () => {
          expect(await codeOf(call(path, { sessionSecret: orgA.secrets[role] }, access.input(orgA, extra)))).toBe('FORBIDDEN');
        });
      }
      const crossOrg = access.crossOrg;
      if (crossOrg === 'not-found') {
        it(`gives NOT_FOUND to org B's ${allowed[allowed.length - 1]} for org A's rows`, async () => {
          const role = allowed[allowed.length - 1]!;
          expect(await codeOf(call(path, { sessionSecret: orgB.secrets[role] }, access.input(orgA, extra)))).toBe('NOT_FOUND');
        });
      } else if (crossOrg !== 'own-data') {
        it("shows org B's caller none of org A's rows", async () => {
          const role = allowed[allowed.length - 1]!;
          const idsOfA = new Set(
            crossOrg.listOf(await call(path, { sessionSecret: orgA.secrets[role] }, access.input(orgA, extra))),
          );
          expect(idsOfA.size, 'org A has rows to leak').toBeGreaterThan(0);
          const seenByB = crossOrg.listOf(await call(path, { sessionSecret: orgB.secrets[role] }, access.input(orgB, extra)));
          expect(seenByB.filter((id) => idsOfA.has(id))).toEqual([]);
        });
      }
    });
  }
});
