import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerAs, codeOf, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { cacheKeys } from '../cache/keys';
import { auditLog, eventLog } from '../db/schema';
import type { Services } from '../services';
import { featureEnabled } from './flags';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let other: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'flags');
  other = await createOrgFixture(services, 'flags-other');
});
afterAll(() => close());

describe('feature flags', () => {
  it('are on by default; an org’s choice, and a store’s over it, decide — for that org only', async () => {
    const [store1, store2] = [org.stores[0]!.id, org.stores[1]!.id];
    const admin = await callerAs(services, org, 'admin');
    expect(await featureEnabled(services, org.org.id, 'complianceAutoVerdicts', store1)).toBe(true);

    await admin.admin.flags.set({ flag: 'complianceAutoVerdicts', storeId: store1, enabled: false });
    expect(await featureEnabled(services, org.org.id, 'complianceAutoVerdicts', store1)).toBe(false);
    expect(await featureEnabled(services, org.org.id, 'complianceAutoVerdicts', store2)).toBe(true);
    expect(await featureEnabled(services, org.org.id, 'complianceAutoVerdicts')).toBe(true);

    // The org switches it off: store 2 follows the org, store 1 keeps its own choice until it is removed.
    await admin.admin.flags.set({ flag: 'complianceAutoVerdicts', storeId: null, enabled: false });
    await admin.admin.flags.set({ flag: 'complianceAutoVerdicts', storeId: store1, enabled: true });
    expect(await featureEnabled(services, org.org.id, 'complianceAutoVerdicts', store1)).toBe(true);
    expect(await featureEnabled(services, org.org.id, 'complianceAutoVerdicts', store2)).toBe(false);
    // The admin page names the store that differs (it is found by a search, not in a list of every store).
    const perStore = (await admin.admin.flags.list()).find((f) => f.flag === 'complianceAutoVerdicts')!.stores;
    expect(perStore).toEqual([{ storeId: store1, code: org.stores[0]!.code, name: org.stores[0]!.name, enabled: true, updatedAt: expect.any(Date) }]);
    await admin.admin.flags.set({ flag: 'complianceAutoVerdicts', storeId: store1, enabled: null });
    expect(await featureEnabled(services, org.org.id, 'complianceAutoVerdicts', store1)).toBe(false);

    // Another org is untouched; the admin page lists the choices.
    expect(await featureEnabled(services, other.org.id, 'complianceAutoVerdicts', other.stores[0]!.id)).toBe(true);
    const listed = await admin.admin.flags.list();
    expect(listed.find((f) => f.flag === 'complianceAutoVerdicts')).toMatchObject({ default: true, enabled: false, org: { enabled: false }, stores: [] });
    expect(listed.find((f) => f.flag === 'pushDelivery')).toMatchObject({ default: true, enabled: true, org: null, perStore: false });
    await admin.admin.flags.set({ flag: 'complianceAutoVerdicts', storeId: null, enabled: null });
  });

  it('a change is read at once (the cached choices go), audited once, and the same choice again writes nothing', async () => {
    const admin = await callerAs(services, org, 'admin');
    expect(await featureEnabled(services, org.org.id, 'pushDelivery')).toBe(true); // now cached
    expect(await services.cache.get(cacheKeys.featureFlags(org.org.id))).toBeDefined();
    const first = await admin.admin.flags.set({ flag: 'pushDelivery', storeId: null, enabled: false });
    const again = await admin.admin.flags.set({ flag: 'pushDelivery', storeId: null, enabled: false });
    expect([first.changed, again.changed]).toEqual([true, false]);
    expect(await featureEnabled(services, org.org.id, 'pushDelivery')).toBe(false);
    const audits = await services.db.select().from(auditLog).where(and(eq(auditLog.orgId, org.org.id), eq(auditLog.action, 'feature_flag.changed'), eq(auditLog.entityId, 'pushDelivery')));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: org.users.admin.id, before: { enabled: null, storeId: null }, after: { enabled: false, storeId: null } });
    expect(await services.db.$count(eventLog, and(eq(eventLog.orgId, org.org.id), eq(eventLog.type, 'featureFlag.changed')))).toBeGreaterThan(0);
    await admin.admin.flags.set({ flag: 'pushDelivery', storeId: null, enabled: true });
    expect(await featureEnabled(services, org.org.id, 'pushDelivery')).toBe(true);
  });

  it('only admins choose; a flag chosen org-wide takes no store; another org’s store is not found', async () => {
    for (const role of ['clerk', 'buyer', 'manager'] as const) {
      const caller = await callerAs(services, org, role);
      expect(await codeOf(caller.admin.flags.set({ flag: 'imageScoring', storeId: null, enabled: false }))).toBe('FORBIDDEN');
      expect(await codeOf(caller.admin.flags.list())).toBe('FORBIDDEN');
    }
    const admin = await callerAs(services, org, 'admin');
    expect(await codeOf(admin.admin.flags.set({ flag: 'imageScoring', storeId: org.stores[0]!.id, enabled: false }))).toBe('BAD_REQUEST');
    expect(await codeOf(admin.admin.flags.set({ flag: 'complianceAutoVerdicts', storeId: other.stores[0]!.id, enabled: false }))).toBe('NOT_FOUND');
    expect(await codeOf(admin.admin.flags.set({ flag: 'noSuchFlag' as 'imageScoring', storeId: null, enabled: false }))).toBe('BAD_REQUEST');
    expect(await featureEnabled(services, org.org.id, 'imageScoring')).toBe(true);
    expect(await featureEnabled(services, other.org.id, 'complianceAutoVerdicts', other.stores[0]!.id)).toBe(true);
  });
});
