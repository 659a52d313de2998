import { and, eq, inArray, sql } from 'drizzle-orm';
import { notifications, users } from '~/server/db/schema';
import { jobOf, queueNames } from '~/server/queues/definitions';
import { brl } from '~/lib/money';
import type { Consumer } from '../events/consumer';

type Pending = { id: string; orgId: string };

const WITH_NOTIFICATIONS = new Set(['purchaseRequest.created', 'purchaseRequest.itemDecided', 'inventory.finalized']);

/**
 * Push delivery: queues one FCM job per notification the event produced (the purchasing mutations write their
 * notifications with the event's id; an inventory finalization notifies the org's managers here). The job id is
 * the notification's, so a redelivered event never enqueues a second send.
 */
export const pushConsumer: Consumer = {
  name: 'push',
  handles: (type) => WITH_NOTIFICATIONS.has(type),
  async apply(tx, event, { pushEnabled }) {
    if (event.type === 'inventory.finalized' && event.orgId) {
      const managers = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.orgId, event.orgId), eq(users.active, true), inArray(users.role, ['manager', 'admin'])));
      if (managers.length > 0) {
        // One per event and manager: a replay to this consumer does not notify them twice.
        await tx
          .insert(notifications)
          .values(
            managers.map((m) => ({
              orgId: event.orgId!,
              userId: m.id,
              kind: 'inventory.finalized',
              title: 'Inventário finalizado',
              body: `Um inventário foi finalizado (variação de ${brl(event.payload.varianceValue)}).`,
              data: { sessionId: event.payload.sessionId, storeId: event.payload.storeId },
              sourceEventId: String(event.id),
            })),
          )
          .onConflictDoNothing({ target: [notifications.sourceEventId, notifications.userId] });
      }
    }
    if (!pushEnabled) return undefined;
    const queued = await tx.execute<{ id: string; org_id: string }>(sql`
      update notifications set push_status = 'queued' where source_event_id = ${String(event.id)} and push_status = 'none' returning id, org_id`);
    return [...queued].map((n): Pending => ({ id: n.id, orgId: n.org_id }));
  },
  async after(event, { services, queues, pushEnabled }, applied) {
    if (!pushEnabled) return;
    // A redelivery (apply skipped) looks the event's unsent notifications up: the first delivery may have
    // committed and died before enqueueing.
    const pending =
      (applied as Pending[] | undefined) ??
      (await services.db
        .select({ id: notifications.id, orgId: notifications.orgId })
        .from(notifications)
        .where(and(eq(notifications.sourceEventId, String(event.id)), sql`${notifications.pushStatus} in ('queued', 'sending')`)));
    if (pending.length === 0) return;
    await queues
      .queue(queueNames.fcm)
      .addBulk(pending.map(jobOf.push));
  },
};
