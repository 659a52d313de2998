import type { Integration } from '../integrations/resilience';
import { assertValidKey, type ObjectStore } from './store';

/**
 * The object store the application uses: each call goes through the `storage` integration (bulkhead, retries of
 * outages, breaker, a time limit per attempt that aborts the call's signal). Every call is safe to retry: a put
 * overwrites whole, a delete of a deleted object is fine. Without an integration (scripts, some tests) the store
 * is called directly.
 */
export function createObjectStorage(store: ObjectStore, integration: Integration | undefined): ObjectStore {
  if (!integration) return store;
  return {
    kind: store.kind,
    // Keys are checked here too, so a caller's bug is refused at once instead of taking a bulkhead slot.
    put: async (key, body, contentType, signal) => {
      assertValidKey(key);
      return integration.execute((attempt) => store.put(key, body, contentType, combine(attempt, signal)));
    },
    get: async (key, signal) => {
      assertValidKey(key);
      return integration.execute((attempt) => store.get(key, combine(attempt, signal)));
    },
    delete: async (keys, signal) => {
      keys.forEach(assertValidKey);
      if (keys.length > 0) await integration.execute((attempt) => store.delete(keys, combine(attempt, signal)));
    },
    check: (signal) => integration.execute((attempt) => store.check(combine(attempt, signal))),
  };
}

/** The attempt's time limit and the caller's own signal (a request that went away), whichever fires first. */
function combine(attempt: AbortSignal, caller: AbortSignal | undefined): AbortSignal {
  return caller ? AbortSignal.any([attempt, caller]) : attempt;
}
