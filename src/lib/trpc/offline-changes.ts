/**
 * The changes a person can make offline outside counting (which keeps its own Dexie log): they wait in React
 * Query's mutation cache, paused, are kept in IndexedDB with it (src/offline/query-persister.ts), and are sent
 * when the tablet is online again, also after a reload. Each is idempotent on the server by its client-made id,
 * so a change that was stored but whose answer was lost is sent again safely and lands once.
 */
import type { Mutation, QueryClient } from '@tanstack/react-query';
import type { TRPCUntypedClient } from '@trpc/client';
import type { AppRouter } from '~/server/api/root';
import { changeIdentity, markChangeDone } from './waiting-changes';
import { errorCode, isNetworkError, NON_RETRYABLE_CODES } from './errors';

/** Procedures whose calls may wait offline, with how the pending list names one. */
export const OFFLINE_CHANGES = {
  'purchaseRequests.create': (input: { items?: unknown[]; submit?: boolean }) => {
    const n = input.items?.length ?? 0;
    return `${input.submit ? 'Enviar solicitação de compra' : 'Salvar rascunho de solicitação'} (${n} ${n === 1 ? 'produto' : 'produtos'})`;
  },
  'purchaseRequests.submit': () => 'Enviar solicitação de compra (rascunho)',
} as const satisfies Record<string, (input: never) => string>;

export type OfflineChangePath = keyof typeof OFFLINE_CHANGES;

const mutationKeyOf = (path: string) => [path.split('.')];

/** The procedure a mutation calls, when it is one that may wait offline. */
export function offlineChangePath(mutation: Pick<Mutation, 'options'>): OfflineChangePath | null {
  const key = mutation.options.mutationKey;
  const parts = Array.isArray(key) && Array.isArray(key[0]) ? (key[0] as string[]) : null;
  const path = parts?.join('.');
  return path && path in OFFLINE_CHANGES ? (path as OfflineChangePath) : null;
}

/** How the pending-changes list describes a queued or refused change. */
export function describeChange(path: OfflineChangePath, variables: unknown): string {
  return (OFFLINE_CHANGES[path] as (input: unknown) => string)((variables ?? {}) as never);
}

/**
 * No answer (offline, the server restarting, a proxy's error page) or a failure the server says may pass: tried
 * again, waiting while offline, with a growing pause. A refusal (bad input, no permission, conflict) is final and
 * shown to the person.
 */
export function retryOfflineChange(failureCount: number, error: unknown): boolean {
  if (isNetworkError(error as Error)) return true;
  const code = errorCode(error as Error);
  return !(code && NON_RETRYABLE_CODES.has(code)) && failureCount < 5;
}

/**
 * The changes that had to wait (paused offline, or restored from IndexedDB after a reload): the pending-changes list
 * is theirs. A change made online whose screen is still open shows its own error there, not in the list.
 */
const queued = new WeakSet<object>();
export const wasQueued = (mutation: object) => queued.has(mutation);
export const markQueued = (mutation: object) => void queued.add(mutation);

/**
 * How each offline-capable procedure is called when its mutation resumes after a reload (the component that
 * started it is gone, and with it the function it gave). A refused change stays in the cache (no garbage
 * collection) until the person has read it and dismissed it.
 */
export function registerOfflineChanges(queryClient: QueryClient, client: TRPCUntypedClient<AppRouter>) {
  for (const path of Object.keys(OFFLINE_CHANGES) as OfflineChangePath[]) {
    queryClient.setMutationDefaults(mutationKeyOf(path), {
      mutationFn: (input: unknown) => client.mutation(path, input),
      // Offline, it waits (paused) instead of failing.
      networkMode: 'online',
      retry: retryOfflineChange,
      retryDelay: (attempt) => Math.min(30_000, 1000 * 2 ** attempt),
      gcTime: Infinity,
      onSuccess: () => queryClient.invalidateQueries({ queryKey: [['purchaseRequests']] }),
    });
  }
  const cache = queryClient.getMutationCache();
  return cache.subscribe((event) => {
    if (event.type !== 'updated' || !offlineChangePath(event.mutation)) return;
    const { state } = event.mutation;
    // It has to wait: offline (paused), or no answer although the tablet thinks it is online (the store's Wi-Fi is
    // up, the server is not reachable). Either way it is listed and kept until it lands or is refused.
    if (state.isPaused || (state.status === 'pending' && state.failureCount > 0 && isNetworkError(state.failureReason as Error))) queued.add(event.mutation);
    // Done is done: a change that landed leaves the list (and every tab's kept copy); so does one refused on a
    // screen that showed it at once (never queued). Only refusals of waiting changes stay for the person.
    if (state.status === 'success') markChangeDone(changeIdentity(event.mutation.options.mutationKey, state.variables));
    if (state.status === 'success' || (state.status === 'error' && !queued.has(event.mutation))) setTimeout(() => cache.remove(event.mutation), 0);
  });
}

/** The changes of a signed-in user that the server refused because the login had expired: sent again after a new sign-in. */
export function resendAfterSignIn(queryClient: QueryClient) {
  const cache = queryClient.getMutationCache();
  for (const mutation of cache.getAll()) {
    if (!offlineChangePath(mutation) || !queued.has(mutation) || mutation.state.status !== 'error' || errorCode(mutation.state.error as Error) !== 'UNAUTHORIZED') continue;
    const again = cache.build(queryClient, { mutationKey: mutation.options.mutationKey, scope: mutation.options.scope });
    queued.add(again);
    cache.remove(mutation);
    void again.execute(mutation.state.variables).catch(() => undefined);
  }
}

/** The person dismissed a refused change: it leaves this tab and every tab's kept copy. */
export function dismissChange(queryClient: QueryClient, mutation: Mutation<unknown, Error, unknown>) {
  markChangeDone(changeIdentity(mutation.options.mutationKey, mutation.state.variables));
  queryClient.getMutationCache().remove(mutation);
}

/** After the kept cache is restored: every change in it had been waiting. */
export function markRestoredChanges(queryClient: QueryClient) {
  for (const mutation of queryClient.getMutationCache().getAll()) if (offlineChangePath(mutation)) queued.add(mutation);
}

/**
 * What is kept across reloads: the offline-capable changes waiting to be sent, and refusals of waiting changes not
 * dismissed yet. Nothing else (a password change, an approval) is ever written to IndexedDB.
 */
export const keepMutation = (mutation: Mutation<unknown, Error, unknown>) =>
  offlineChangePath(mutation) !== null && (mutation.state.isPaused || (wasQueued(mutation) && (mutation.state.status === 'pending' || mutation.state.status === 'error')));
