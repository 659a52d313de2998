/**
 * React Query's cache kept in IndexedDB (Dexie), one entry per signed-in user, so the app's pages open with their
 * last answers when the tablet is offline and the changes made offline (paused mutations) survive a reload or a
 * closed tab. Counting's scans do not live here: they have their own Dexie log (src/offline/db.ts).
 *
 * Whose cache: the user last signed in on this device (`myinventory:cache-user`, written at sign-in and by the app
 * shell, removed at sign-out). Another person signing in on a shared tablet gets their own entry; the first one's queued changes
 * wait, under theirs, for their next sign-in instead of being sent with someone else's session.
 */
import type { PersistedClient, Persister } from '@tanstack/react-query-persist-client';
import Dexie, { type Table } from 'dexie';
import { mergeWaitingChanges } from '~/lib/trpc/waiting-changes';

/** Whose kept cache this device reads and writes: set at sign-in and when the session is read, removed at sign-out. */
const CACHE_USER_KEY = 'myinventory:cache-user';

type Row = { userId: string; savedAt: number; client: PersistedClient };

class QueryCacheDatabase extends Dexie {
  clients!: Table<Row, string>;
  constructor() {
    super('myinventory-queries');
    this.version(1).stores({ clients: 'userId' });
  }
}

let database: QueryCacheDatabase | null = null;
const db = () => (database ??= new QueryCacheDatabase());

/** The user whose cache this page reads and writes: the last one signed in here, or nobody. */
export function persistedUserId(): string | null {
  if (typeof window === 'undefined') return null;
  try {
    return localStorage.getItem(CACHE_USER_KEY);
  } catch {
    return null;
  }
}

/** Sign-in (and every read of the session): the kept cache from now on is this user's. */
export function setPersistedUser(userId: string): void {
  try {
    localStorage.setItem(CACHE_USER_KEY, userId);
  } catch {
    // Storage blocked: the app works online without its offline copy.
  }
}

/**
 * The most answers kept: the latest ones (a clerk's day is about 15; a buyer paging through searches all day makes
 * hundreds, and the whole row is rewritten on each change).
 */
export const MAX_KEPT_ANSWERS = 200;

/**
 * What IndexedDB keeps: at most MAX_KEPT_ANSWERS answers, the most recent. Of the mutations, a refused change keeps
 * its error for the person to read after a reload:
 * the error object itself would lose its `data` (code, reason) in IndexedDB's structured clone, so it is kept as the
 * plain `{ message, data }` the error helpers read (src/lib/trpc/errors.ts). A change caught in flight (the tab
 * closed while it was being sent) is kept as paused, so it is sent again after the reload (the server's create and
 * submit are idempotent by the client-made id).
 */
export function forStorage(client: PersistedClient): PersistedClient {
  const queries =
    client.clientState.queries.length <= MAX_KEPT_ANSWERS
      ? client.clientState.queries
      : [...client.clientState.queries].sort((a, b) => b.state.dataUpdatedAt - a.state.dataUpdatedAt).slice(0, MAX_KEPT_ANSWERS);
  const mutations = client.clientState.mutations.map((m) => {
    const error = m.state.error as { message?: string; data?: unknown; shape?: { data?: unknown } } | null;
    if (m.state.status === 'pending') return { ...m, state: { ...m.state, isPaused: true } };
    if (!error) return m;
    return { ...m, state: { ...m.state, error: { name: 'TRPCClientError', message: error.message ?? String(error), data: error.data ?? error.shape?.data ?? null } } };
  });
  return { ...client, clientState: { ...client.clientState, queries, mutations } };
}

/** What the mutations are now, cheaply: a change there is written at once, not after the pause. */
const mutationSignature = (client: PersistedClient) =>
  client.clientState.mutations.map((m) => `${JSON.stringify(m.mutationKey)}:${m.state.status}:${m.state.isPaused ? 1 : 0}:${m.state.submittedAt}`).join('|');

/**
 * Writes at most every `pauseMs` for query changes (a list page fills many queries at once) but at once when a
 * change (mutation) is queued, sent or refused, and on leaving the page, so "take it offline and close the tab"
 * loses nothing. IndexedDB runs the writes in the order they are started.
 *
 * The cache is its owner's for the page's life: the owner read when the page loaded (or, on a device where nobody
 * was signed in yet, the first one set). If another tab signs in as someone else, this page stops writing (it holds
 * the previous person's answers and changes) and loads again as the new one.
 */
export function createQueryPersister({ buster, maxAgeMs, pauseMs = 250 }: { buster: string; maxAgeMs: number; pauseMs?: number }): Persister {
  let owner = persistedUserId();
  let latest: PersistedClient | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastMutations = '';

  /** The user this page writes for, or null when it must not write (nobody yet, or someone else took over). */
  const writer = () => {
    const current = persistedUserId();
    if (owner === null) owner = current;
    return current !== null && current === owner ? owner : null;
  };

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const client = latest;
    const userId = writer();
    latest = null;
    if (!client || !userId) return Promise.resolve();
    const clients = db().clients;
    // Read, merge and write in one transaction: another tab's waiting changes in the row stay (waiting-changes.ts).
    return db()
      .transaction('rw', clients, async () => {
        const stored = await clients.get(userId);
        const mine = forStorage(client);
        const mutations = mergeWaitingChanges(mine.clientState.mutations, stored?.client.clientState.mutations);
        await clients.put({ userId, savedAt: Date.now(), client: { ...mine, clientState: { ...mine.clientState, mutations } } });
      })
      .then(() => undefined)
      // Quota or a private window: the app works on without its offline copy (the next write tries again).
      .catch((error: unknown) => console.warn('could not keep the offline copy of the answers', error));
  };

  if (typeof window !== 'undefined') {
    window.addEventListener('pagehide', () => void flush());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') void flush();
    });
    // Another tab signed in as someone else (or out): this page's memory is the previous person's.
    window.addEventListener('storage', (event) => {
      if (event.key === CACHE_USER_KEY && owner !== null && event.newValue !== owner) window.location.reload();
    });
  }

  return {
    persistClient(client) {
      latest = client;
      const signature = mutationSignature(client);
      if (signature !== lastMutations) {
        lastMutations = signature;
        return flush();
      }
      timer ??= setTimeout(() => void flush(), pauseMs);
    },
    async restoreClient() {
      const userId = owner;
      if (!userId) return undefined;
      const row = await db().clients.get(userId);
      if (!row) return undefined;
      lastMutations = mutationSignature(row.client);
      // Another build (its answers may have another shape), or answers too old to show: the answers go, but the
      // changes waiting to be sent stay (a deploy or a long weekend must not lose a request made offline; if the
      // server now refuses it, the person is shown why).
      if (row.client.buster !== buster || row.client.timestamp < Date.now() - maxAgeMs) {
        return { ...row.client, buster, timestamp: Date.now(), clientState: { ...row.client.clientState, queries: [] } };
      }
      return row.client;
    },
    async removeClient() {
      if (owner) await db().clients.delete(owner);
    },
  };
}

/** Sign-out: this user's kept answers and changes go, and nobody's cache is read until the next sign-in. */
export async function forgetPersistedQueries(): Promise<void> {
  const userId = persistedUserId();
  try {
    localStorage.removeItem(CACHE_USER_KEY);
  } catch {
    // nothing kept
  }
  if (userId) await db().clients.delete(userId).catch(() => undefined);
}
