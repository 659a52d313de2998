import { randomUUID } from 'node:crypto';
import { eq, sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { eventLog, notifications } from '../db/schema';
import { pgErrorCode } from '../errors';
import type { Services } from '../services';
import { appendEvent, appendEvents } from './outbox';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'outbox');
});
afterAll(() => close());

const created = (requestId: string) => ({
  type: 'purchaseRequest.created' as const,
  orgId: org.org.id,
  aggregateId: requestId,
  payload: { requestId, storeId: org.stores[0]!.id, createdBy: org.users.clerk.id, totalValue: 1, itemCount: 1, buyerIds: [org.users.buyer.id] },
});
/** A statement that writes a notification per user, pointing at the event `eventId` selects. */
const notify = (userIds: string[], eventId: SQL) => sql`
  insert into notifications (org_id, user_id, kind, title, body, data, source_event_id)
  select ${org.org.id}, u::uuid, 'test', 'Título', 'Corpo', '{"n": 1}'::jsonb, (${eventId})::text
  from jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb) u`;
const eventsOf = (aggregateId: string) => services.db.select().from(eventLog).where(eq(eventLog.aggregateId, aggregateId)).orderBy(eventLog.aggregateSeq);

describe('outbox: a statement alongside the events', () => {
  it('writes rows that point at their event, in the same statement, numbering the aggregate on', async () => {
    const requestId = randomUUID();
    await appendEvent(services.db, created(requestId), { userId: null });
    const [id] = await appendEvents(services.db, [created(requestId), created(requestId)], { userId: null }, {
      alongside: (inserted) => notify([org.users.buyer.id, org.users.manager.id], sql`select min(id) from ${inserted} where type = 'purchaseRequest.created'`),
    });
    expect((await eventsOf(requestId)).map((e) => e.aggregateSeq)).toEqual([1, 2, 3]);
    const rows = await services.db.select().from(notifications).where(eq(notifications.sourceEventId, String(id)));
    expect(rows.map((r) => r.userId).sort()).toEqual([org.users.buyer.id, org.users.manager.id].sort());
    expect(rows[0]!.data).toEqual({ n: 1 });
  });

  it('is all or nothing without a transaction: a failing statement alongside leaves no event', async () => {
    const requestId = randomUUID();
    const stranger = randomUUID(); // no such user: the notification's foreign key fails
    await expect(
      appendEvent(services.db, created(requestId), { userId: null }, { alongside: (inserted) => notify([stranger], sql`select id from ${inserted}`) }),
    ).rejects.toSatisfy((error) => pgErrorCode(error) === '23503'); // foreign_key_violation
    expect(await eventsOf(requestId)).toEqual([]);
    expect(await services.db.$count(notifications, eq(notifications.userId, stranger))).toBe(0);
  });
});
