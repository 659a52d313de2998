import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices, type OrgFixture } from '../../../../tests/helpers/harness';
import type { Principal } from '../../domain/principal';
import { countQueries } from '../../db/query-count';
import type { Services } from '../../services';
import { procedureCacheKey } from './cache';

let services: Services;
let close: () => Promise<void>;
let orgA: OrgFixture;
let orgB: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  orgA = await createOrgFixture(services, 'cache-a');
  orgB = await createOrgFixture(services, 'cache-b');
});
afterAll(() => close());

const principal = (over: Partial<Principal>): Principal => ({
  kind: 'session',
  credentialId: 'x',
  userId: 'u1',
  orgId: 'o1',
  role: 'manager',
  name: 'n',
  email: 'e',
  storeIds: ['s1'],
  expiresAt: null,
  mustChangePassword: false,
  ...over,
});

describe('procedure cache key', () => {
  it('differs whenever org, role or store scope differ, and not for another user with the same scope', () => {
    const base = procedureCacheKey('x.list', principal({}), { limit: 10 });
    expect(procedureCacheKey('x.list', principal({ orgId: 'o2' }), { limit: 10 })).not.toBe(base);
    expect(procedureCacheKey('x.list', principal({ role: 'clerk' }), { limit: 10 })).not.toBe(base);
    expect(procedureCacheKey('x.list', principal({ storeIds: ['s2'] }), { limit: 10 })).not.toBe(base);
    expect(procedureCacheKey('x.list', principal({ userId: 'u2', credentialId: 'y' }), { limit: 10 })).toBe(base);
  });

  it('ignores key order in the input but not values', () => {
    const p = principal({});
    expect(procedureCacheKey('x', p, { a: 1, b: 2 })).toBe(procedureCacheKey('x', p, { b: 2, a: 1 }));
    expect(procedureCacheKey('x', p, { a: 1 })).not.toBe(procedureCacheKey('x', p, { a: 2 }));
    expect(procedureCacheKey('x', p, { a: 1 })).not.toBe(procedureCacheKey('y', p, { a: 1 }));
  });
});

describe('cached queries', () => {
  it('never serve one org the entry of another', async () => {
    const adminA = await callerFor(services, { sessionSecret: orgA.secrets.admin });
    const adminB = await callerFor(services, { sessionSecret: orgB.secrets.admin });
    const a = await adminA.admin.stores.list({ limit: 10 });
    const b = await adminB.admin.stores.list({ limit: 10 });
    expect(a.items.map((s) => s.code).sort()).toEqual(['cache-a-1', 'cache-a-2']);
    expect(b.items.map((s) => s.code).sort()).toEqual(['cache-b-1', 'cache-b-2']);
  });

  it('answer a repeated call from the cache without SQL, keep dates as dates, and see a change at once', async () => {
    const admin = await callerFor(services, { sessionSecret: orgA.secrets.admin });
    await admin.admin.stores.list({ limit: 10 });
    const warm = await countQueries(() => admin.admin.stores.list({ limit: 10 }));
    expect(warm.queries.count).toBe(0);
    expect(warm.result.items[0]!.createdAt).toBeInstanceOf(Date);
    await admin.admin.stores.create({ code: 'cache-a-3', name: 'Loja nova' });
    const after = await admin.admin.stores.list({ limit: 10 });
    expect(after.items.map((s) => s.code)).toContain('cache-a-3');
  });
});
