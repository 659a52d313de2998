import { eq } from 'drizzle-orm';
import { UnrecoverableError } from 'bullmq';
import { eventLog, processedEvents } from '~/server/db/schema';
import type { EventType } from '~/server/events/types';
import { queueNames } from '~/server/queues/definitions';
import type { Logger } from '~/server/logger';
import { defineProcessor } from '../base';
import { consumers } from '../consumers';
import type { ConsumerDeps, StoredEvent } from '../consumers/types';

/** Applies one stored event to its consumers (or to the one a replay names), each at most once. */
export async function applyEvent(deps: ConsumerDeps, eventId: number, only?: string): Promise<string[]> {
  const { db } = deps.services;
  const [row] = await db.select().from(eventLog).where(eq(eventLog.id, eventId)).limit(1);
  if (!row) throw new UnrecoverableError(`Event ${eventId} does not exist`);
  const event: StoredEvent = {
    id: row.id,
    orgId: row.orgId,
    type: row.type as EventType,
    aggregateId: row.aggregateId,
    payload: row.payload,
    metadata: row.metadata,
    createdAt: row.createdAt,
  };
  const ran: string[] = [];
  for (const consumer of consumers) {
    if ((only && consumer.name !== only) || !consumer.handles(event.type)) continue;
    await db.transaction(async (tx) => {
      const marked = await tx.insert(processedEvents).values({ consumer: consumer.name, eventId }).onConflictDoNothing().returning();
      if (marked.length > 0) await consumer.apply?.(tx, event, deps);
    });
    await consumer.after?.(event, deps);
    ran.push(consumer.name);
  }
  return ran;
}

export function domainEventsProcessor(deps: ConsumerDeps, logger: Logger) {
  return defineProcessor(queueNames.domainEvents, logger, async ({ eventId, consumer }) => ({ consumers: await applyEvent(deps, eventId, consumer) }));
}
