import { jobOf, queueNames } from '../queues/definitions';
import type { Consumer } from '../events/consumer';
import type { EventType } from '../events/types';
import { findUnsentNotificationsOfEvent, insertNotificationsOfEvent } from './queries';
import { NOTIFIED_EVENTS, notificationOf } from './rules';

type Queued = { id: string; orgId: string }[];

/**
 * Notifications and their push delivery: writes the notifications an event produces (rules.ts), once per event
 * and recipient, and queues one FCM job per notification. The job id is the notification's, so a redelivered
 * event never enqueues a second send.
 */
export const pushConsumer: Consumer = {
  name: 'push',
  handles: (type: EventType) => NOTIFIED_EVENTS.has(type),
  async apply(tx, event, { pushEnabled }) {
    const rule = notificationOf(event);
    if (!rule || !event.orgId) return [];
    return insertNotificationsOfEvent(tx, { id: event.id, orgId: event.orgId, actorId: event.metadata.userId ?? null }, rule, pushEnabled);
  },
  async after(event, { services, pushEnabled }, applied) {
    if (!pushEnabled) return;
    // A redelivery (apply skipped) looks the event's unsent notifications up: the first delivery may have
    // committed and died before enqueueing.
    const queued = (applied as Queued | undefined) ?? (await findUnsentNotificationsOfEvent(services.db, event.id));
    if (queued.length > 0) await services.queues.queue(queueNames.fcm).addBulk(queued.map(jobOf.push));
  },
};
