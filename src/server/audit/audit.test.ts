import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { auditLog } from '../db/schema';
import type { Services } from '../services';
import type { Actor } from '../domain/context';
import { writeAudit } from './audit';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'audit');
});
afterAll(() => close());

const rowsOf = (entityId: string) => services.db.select().from(auditLog).where(eq(auditLog.entityId, entityId)).orderBy(asc(auditLog.id));

describe('writeAudit', () => {
  const actor = (): Actor => ({ type: 'user', userId: org.users.manager.id, orgId: org.org.id, requestId: 'req-1', ip: '10.0.0.7' });

  it('writes every entry with its actor, in order, without secrets', async () => {
    const entityId = randomUUID();
    await writeAudit(services.db, actor(), [
      {
        action: 'user.updated',
        entityType: 'user',
        entityId,
        before: { name: 'Ana', passwordHash: 'x', nested: { token: 'y', keep: [1, { password: 'z', at: new Date('2026-01-02T03:04:05Z') }] } },
        after: { name: 'Ana Maria', line: undefined, note: null },
      },
      { action: 'login.failed', entityType: 'user', entityId, orgId: null },
    ]);
    const rows = await rowsOf(entityId);
    expect(rows.map((r) => [r.action, r.orgId, r.actorId, r.actorType, r.requestId, r.ip])).toEqual([
      ['user.updated', org.org.id, org.users.manager.id, 'user', 'req-1', '10.0.0.7'],
      ['login.failed', null, org.users.manager.id, 'user', 'req-1', '10.0.0.7'],
    ]);
    expect(rows[0]!.before).toEqual({ name: 'Ana', nested: { keep: [1, { at: '2026-01-02T03:04:05.000Z' }] } });
    expect(rows[0]!.after).toStrictEqual({ name: 'Ana Maria', note: null });
    expect([rows[1]!.before, rows[1]!.after]).toEqual([null, null]);
  });

  it('commits or rolls back with the change it records', async () => {
    const entityId = randomUUID();
    await expect(
      services.db.transaction(async (tx) => {
        await writeAudit(tx, actor(), { action: 'store.updated', entityType: 'store', entityId });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await rowsOf(entityId)).toEqual([]);
  });
});
