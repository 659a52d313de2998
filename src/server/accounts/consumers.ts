import { cacheTags } from '../cache/keys';
import type { CommittedEvent, Consumer, ConsumerDeps, StoredEvent } from '../events/consumer';
import type { DomainEventType } from '../events/types';

const ACCOUNT_EVENTS = new Set<DomainEventType>(['user.created', 'user.updated', 'store.created', 'store.updated', 'apiToken.revoked']);

/**
 * A change to people, stores or tokens: the org's cached user and store lists go, and so do the cached
 * credentials of a user whose role, stores or active flag changed or whose token was revoked, so the change
 * applies to their next request.
 */
async function forgetAccounts(events: (StoredEvent | CommittedEvent)[], { services }: ConsumerDeps): Promise<void> {
  const tags = new Set<string>();
  for (const event of events) {
    if (!event.orgId) continue;
    switch (event.type) {
      case 'user.created':
        tags.add(cacheTags.users(event.orgId));
        break;
      case 'user.updated':
        tags.add(cacheTags.users(event.orgId)).add(cacheTags.userAuth(event.payload.userId));
        break;
      case 'store.created':
      case 'store.updated':
        // The user list names each user's stores: a renamed store is renamed there too.
        tags.add(cacheTags.stores(event.orgId)).add(cacheTags.users(event.orgId));
        break;
      case 'apiToken.revoked':
        tags.add(cacheTags.userAuth(event.payload.userId));
        break;
    }
  }
  if (tags.size > 0) await services.cache.invalidateTags(...tags);
}

/** Right after the caller's commit (a deactivated user is signed out at once), and again from the outbox. Idempotent. */
export const accountsCacheConsumer: Consumer = {
  name: 'accounts-cache',
  handles: (type) => ACCOUNT_EVENTS.has(type),
  after: (event, deps) => forgetAccounts([event], deps),
  onCommit: { handles: (type) => ACCOUNT_EVENTS.has(type), run: forgetAccounts },
};
