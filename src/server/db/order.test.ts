import { desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestServices } from '../../../tests/helpers/harness';
import type { Services } from '../services';
import { newestFirst } from './order';
import { auditLog, notifications, purchaseRequests } from './schema';

let services: Services;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ services, close } = await createTestServices());
});
afterAll(() => close());

/** The plan of a page query, with scans that ignore order ruled out: an index read in order, or a sort. */
async function planOf(query: { toSQL(): { sql: string; params: unknown[] } }) {
  const { sql: text, params } = query.toSQL();
  return services.db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    await tx.execute(sql`set local enable_bitmapscan = off`);
    const rows = await tx.execute<{ 'QUERY PLAN': string }>(sql.raw(`explain ${text.replace(/\$(\d+)/g, (_, n: string) => `'${String(params[Number(n) - 1])}'`)}`));
    return [...rows].map((r) => r['QUERY PLAN']).join('\n');
  });
}

const org = '00000000-0000-4000-8000-000000000001';

it('newest-first pages read their index in order; a plain desc sorts every matching row', async () => {
  const requests = (order: 'index' | 'plain') =>
    services.db
      .select({ id: purchaseRequests.id })
      .from(purchaseRequests)
      .where(eq(purchaseRequests.orgId, org))
      .orderBy(...(order === 'index' ? [newestFirst(purchaseRequests.createdAt), newestFirst(purchaseRequests.id)] : [desc(purchaseRequests.createdAt), desc(purchaseRequests.id)]))
      .limit(26);
  expect(await planOf(requests('index'))).toMatch(/Index (Only )?Scan using purchase_requests_org_created_idx/);
  expect(await planOf(requests('index'))).not.toMatch(/Sort/);
  expect(await planOf(requests('plain'))).toMatch(/Sort/);

  const user = '00000000-0000-4000-8000-000000000002';
  const notes = services.db
    .select({ id: notifications.id })
    .from(notifications)
    .where(eq(notifications.userId, user))
    .orderBy(newestFirst(notifications.createdAt), newestFirst(notifications.id))
    .limit(26);
  expect(await planOf(notes)).toMatch(/Index (Only )?Scan using notifications_user_created_idx/);
  expect(await planOf(notes)).not.toMatch(/Sort/);

  const audit = services.db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.orgId, org)).orderBy(newestFirst(auditLog.id)).limit(26);
  expect(await planOf(audit)).not.toMatch(/Sort/);
});
