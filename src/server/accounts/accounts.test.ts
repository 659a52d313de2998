import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { eventLog } from '../db/schema';
import type { Services } from '../services';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'accounts');
});
afterAll(() => close());

const admin = () => callerFor(services, { sessionSecret: org.secrets.admin });
const eventsOf = async (aggregateId: string, type: string) =>
  (await services.db.select().from(eventLog).where(and(eq(eventLog.aggregateId, aggregateId), eq(eventLog.type, type))).orderBy(eventLog.aggregateSeq)).map((e) => e.aggregateSeq);

describe('changes to one user or store at once (a double click)', () => {
  it('both apply, one after the other, each with its event numbered in order', async () => {
    const a = await admin();
    const clerk = org.users.clerk.id;
    const before = (await eventsOf(clerk, 'user.updated')).length;
    const results = await Promise.allSettled([
      a.admin.users.update({ id: clerk, storeIds: [org.stores[0]!.id] }),
      a.admin.users.update({ id: clerk, storeIds: [org.stores[0]!.id, org.stores[1]!.id] }),
      a.admin.users.update({ id: clerk, name: 'Caixa renomeado' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(await eventsOf(clerk, 'user.updated')).toEqual([before + 1, before + 2, before + 3]);

    const store = org.stores[1]!.id;
    const stores = await Promise.allSettled([a.admin.stores.update({ id: store, city: 'Santos' }), a.admin.stores.update({ id: store }), a.admin.stores.update({ id: store, name: 'Loja 2' })]);
    expect(stores.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(await eventsOf(store, 'store.updated')).toEqual([1, 2, 3]);
  });

  it('a code another store holds is a CONFLICT naming it, never another constraint mistaken for it', async () => {
    const a = await admin();
    const error = (await a.admin.stores.update({ id: org.stores[1]!.id, code: org.stores[0]!.code }).then(
      () => null,
      (e: unknown) => e,
    )) as { code: string; cause?: { reason: string; data: unknown } };
    expect([error.code, error.cause?.reason, error.cause?.data]).toEqual(['CONFLICT', 'store_code_taken', { field: 'code', code: org.stores[0]!.code }]);
  });
});
