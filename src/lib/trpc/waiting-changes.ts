/**
 * The changes waiting to be sent, as several tabs of one user see them. Each tab keeps its whole React Query cache in
 * one IndexedDB row (src/offline/query-persister.ts); so that one tab's write never drops a change another tab queued, a write
 * keeps the row's changes this tab does not know, unless some tab has already seen them land or the person
 * dismissed them: those are noted here (localStorage, shared by the tabs, forgotten after a week).
 */
import type { PersistedClient } from '@tanstack/react-query-persist-client';

type DehydratedMutation = PersistedClient['clientState']['mutations'][number];

const DONE_KEY = 'myinventory:done-changes';
const DONE_KEPT_MS = 7 * 24 * 60 * 60 * 1000;

/** One change across tabs and reloads: its procedure and the client-made id it carries. */
export function changeIdentity(mutationKey: readonly unknown[] | undefined, variables: unknown): string | null {
  const id = (variables as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && mutationKey ? `${JSON.stringify(mutationKey)}:${id}` : null;
}
const identityOf = (m: DehydratedMutation) => changeIdentity(m.mutationKey, m.state.variables);

function readDone(): Record<string, number> {
  try {
    const parsed = JSON.parse(localStorage.getItem(DONE_KEY) ?? '{}') as Record<string, number>;
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/** A change landed (in this tab or a restored copy) or was dismissed: no tab keeps or sends it again. */
export function markChangeDone(identity: string | null): void {
  if (!identity || typeof localStorage === 'undefined') return;
  const now = Date.now();
  const done = Object.fromEntries(Object.entries(readDone()).filter(([, at]) => now - at < DONE_KEPT_MS));
  done[identity] = now;
  try {
    localStorage.setItem(DONE_KEY, JSON.stringify(done));
  } catch {
    // Storage blocked: at worst a landed change is sent again, and the server's idempotency makes it land once.
  }
}

/** The changes to keep: this tab's, then the row's that this tab does not know, none of them done. */
export function mergeWaitingChanges(mine: DehydratedMutation[], stored: DehydratedMutation[] | undefined): DehydratedMutation[] {
  const done = readDone();
  const isDone = (m: DehydratedMutation) => {
    const identity = identityOf(m);
    return identity !== null && identity in done;
  };
  const kept = mine.filter((m) => !isDone(m));
  const known = new Set(kept.map(identityOf).filter((i): i is string => i !== null));
  const others = (stored ?? []).filter((m) => {
    const identity = identityOf(m);
    return identity !== null && !known.has(identity) && !isDone(m);
  });
  return [...kept, ...others];
}
