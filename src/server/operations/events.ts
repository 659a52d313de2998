import { writeAudit } from '../audit/audit';
import type { SignedInContext } from '../domain/context';
import { AppError, notFound } from '../errors';
import { clearProcessedMarks, findOrgEvents, listEvents as listEventRows } from '../events/queries';
import { queueNames } from '../queues/definitions';

/** The org's outbox, newest first. */
export const listEvents = (ctx: SignedInContext, params: Parameters<typeof listEventRows>[2]) => listEventRows(ctx.db, ctx.principal.orgId, params);

/**
 * Delivers chosen events of the org again to one consumer (after a fix, or to a new consumer): its processed
 * marks go, so its idempotency lets them through once more. Ids of other orgs are skipped, unnamed.
 */
export async function replayEvents(ctx: SignedInContext, input: { eventIds: number[]; consumer: string }) {
  const orgId = ctx.principal.orgId;
  const events = await findOrgEvents(ctx.db, orgId, input.eventIds);
  if (events.length === 0) throw notFound('events');
  const ids = events.map((e) => e.id);
  await clearProcessedMarks(ctx.db, input.consumer, ids);
  const stamp = Date.now();
  try {
    await ctx.services.queues
      .queue(queueNames.domainEvents)
      .addBulk(events.map((e) => ({ name: e.type, data: { eventId: e.id, orgId, consumer: input.consumer }, opts: { jobId: `replay-${input.consumer}-${e.id}-${stamp}` } })));
  } catch (error) {
    // The marks are gone and nothing was queued: the same replay asked again, once the queue is back, does what
    // this one could not.
    ctx.logger.warn({ err: error }, 'replay could not be queued');
    throw new AppError('UNAVAILABLE', 'queue_unavailable', 'The event queue is unreachable, so nothing was replayed; try again once it is back');
  }
  await writeAudit(ctx.db, ctx.actor, { action: 'events.replayed', entityType: 'event_log', after: { consumer: input.consumer, eventIds: ids } });
  return { replayed: ids.length, skipped: input.eventIds.length - ids.length };
}
