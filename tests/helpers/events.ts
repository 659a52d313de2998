import { sql } from 'drizzle-orm';
import { eventDelivery } from '~/server/runtime/consumers';
import type { Services } from '~/server/services';

/**
 * Applies every outbox event to its consumers in this process, as the workers would (same code, same
 * idempotency marks), for tests that check an event's effect without running BullMQ.
 */
export async function runConsumers(services: Services): Promise<void> {
  const rows = await services.db.execute<{ id: number }>(sql`select id from event_log order by id`);
  const deps = { services, pushEnabled: false };
  for (const { id } of rows) await eventDelivery.apply(deps, Number(id));
}
