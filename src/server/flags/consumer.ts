import { cacheKeys } from '../cache/keys';
import type { CommittedEvent, Consumer, ConsumerDeps, StoredEvent } from '../events/consumer';

/** A flag changed: the org's cached choices go, on every instance (right after the commit, and from the outbox). */
async function forgetChoices(events: (StoredEvent | CommittedEvent)[], { services }: ConsumerDeps): Promise<void> {
  const orgs = new Set(events.filter((e) => e.type === 'featureFlag.changed' && e.orgId).map((e) => e.orgId!));
  if (orgs.size > 0) await services.cache.del(...[...orgs].map(cacheKeys.featureFlags));
}

export const flagsCacheConsumer: Consumer = {
  name: 'flags-cache',
  handles: (type) => type === 'featureFlag.changed',
  after: (event, deps) => forgetChoices([event], deps),
  onCommit: { handles: (type) => type === 'featureFlag.changed', run: forgetChoices },
};
