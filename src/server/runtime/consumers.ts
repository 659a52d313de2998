import { accountsCacheConsumer } from '../accounts/consumers';
import { productCacheConsumer } from '../catalogue/consumers';
import { complianceConsumer } from '../compliance/consumer';
import { analyticsConsumer, liveAndCacheConsumer } from '../dashboard/consumers';
import type { AfterCommit } from '../domain/context';
import type { Consumer } from '../events/consumer';
import { createEventDelivery } from '../events/delivery';
import { imagesConsumer } from '../images/consumer';
import { pushConsumer } from '../notifications/push-consumer';
import { stockNamesConsumer } from '../stock/consumers';
import { flagsCacheConsumer } from '../flags/consumer';
import type { Services } from '../services';

/**
 * Every consumer of domain events, each owned by the domain whose effect it is. Run in this order for each event:
 * push first (a person is waiting for it; the analytics counters are hot rows that concurrent events queue on),
 * and the live event after the figures it announces are written.
 */
export const consumers: Consumer[] = [pushConsumer, analyticsConsumer, liveAndCacheConsumer, imagesConsumer, complianceConsumer, productCacheConsumer, accountsCacheConsumer, stockNamesConsumer, flagsCacheConsumer];

export const eventDelivery = createEventDelivery(consumers);

/** The consumers' names: whose processed marks there are (retention deletes an event's with it). */
export const consumerNames = consumers.map((c) => c.name);

/**
 * The read-your-writes effects of a process: each consumer's `onCommit`, for the events a call committed. A
 * failing one does not stop the others (the workers redo every effect from the outbox).
 */
const effectsOf = new WeakMap<Services, AfterCommit>();
export function commitEffects(services: Services): AfterCommit {
  let effects = effectsOf.get(services);
  if (!effects) effectsOf.set(services, (effects = buildCommitEffects(services)));
  return effects;
}

function buildCommitEffects(services: Services): AfterCommit {
  const deps = { services, pushEnabled: false };
  const withEffects = consumers.filter((c) => c.onCommit);
  return async (events) => {
    const failures = await Promise.allSettled(
      withEffects.map((c) => {
        const mine = events.filter((e) => c.onCommit!.handles(e.type));
        return mine.length > 0 ? c.onCommit!.run(mine, deps) : undefined;
      }),
    );
    for (const f of failures) if (f.status === 'rejected') services.logger.warn({ err: f.reason }, 'a read-your-writes effect failed; the workers will apply it from the outbox');
  };
}
