'use client';

import { onlineManager, useMutationState, useQueryClient, type Mutation } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { describeError, errorCode } from '~/lib/trpc/errors';
import { describeChange, offlineChangePath, dismissChange, markQueued, wasQueued, type OfflineChangePath } from '~/lib/trpc/offline-changes';
import { formatDateTime, formatTime } from '../ui/format';
import styles from './shell.module.css';

/** React Query's view of the connection (the browser's online/offline events). */
export function useOnline(): boolean {
  return useSyncExternalStore(
    (listener) => onlineManager.subscribe(listener),
    () => onlineManager.isOnline(),
    () => true,
  );
}

/** When the oldest answer on screen was fetched (the page's observed queries), updated as they change. */
function useOldestShownAnswer(): number | null {
  const queryClient = useQueryClient();
  const [oldest, setOldest] = useState<number | null>(null);
  useEffect(() => {
    const cache = queryClient.getQueryCache();
    const read = () => {
      let found: number | null = null;
      for (const query of cache.getAll()) {
        if (query.getObserversCount() === 0 || query.state.data === undefined || query.state.dataUpdatedAt === 0) continue;
        if (found === null || query.state.dataUpdatedAt < found) found = query.state.dataUpdatedAt;
      }
      return found;
    };
    setOldest(read());
    // The cache tells of every change, some while another component renders: read once, after it.
    let scheduled: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = cache.subscribe(() => {
      scheduled ??= setTimeout(() => {
        scheduled = null;
        setOldest(read());
      }, 200);
    });
    return () => {
      unsubscribe();
      if (scheduled) clearTimeout(scheduled);
    };
  }, [queryClient]);
  return oldest;
}

function when(at: number): string {
  const today = new Date();
  const day = new Date(at);
  if (day.toDateString() === today.toDateString()) return `de hoje às ${formatTime(new Date(at)).slice(0, 5)}`;
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (day.toDateString() === yesterday.toDateString()) return `de ontem às ${formatTime(new Date(at)).slice(0, 5)}`;
  return `de ${formatDateTime(new Date(at))}`;
}

/** Offline: the page shows what this tablet kept, and says how old it is. */
export function OfflineBanner() {
  const online = useOnline();
  const oldest = useOldestShownAnswer();
  if (online) return null;
  return (
    <div className={`app-banner ${styles.offlineBanner}`} role="status" data-testid="offline-banner">
      <strong>Sem conexão.</strong>{' '}
      {oldest ? <>Mostrando os dados salvos neste tablet, {when(oldest)}.</> : <>Esta página ainda não tem dados salvos neste tablet.</>} Solicitações de
      compra feitas agora ficam guardadas e são enviadas quando a conexão voltar; contagens e recebimentos, como sempre.
    </div>
  );
}

type Change = {
  id: number;
  path: OfflineChangePath;
  label: string;
  /** `login`: refused because the login had expired; sent again by itself after the person signs in. */
  state: 'waiting' | 'sending' | 'refused' | 'login';
  error: string | null;
  submittedAt: number;
};

function changeOf(mutation: Mutation<unknown, Error, unknown>): Change {
  const path = offlineChangePath(mutation)!;
  const { status, isPaused, error, variables, submittedAt } = mutation.state;
  return {
    id: mutation.mutationId,
    path,
    label: describeChange(path, variables),
    state: status === 'error' ? (errorCode(error as Error) === 'UNAUTHORIZED' ? 'login' : 'refused') : isPaused ? 'waiting' : 'sending',
    error: status === 'error' && error ? describeError(error as { message: string; data?: unknown }) : null,
    submittedAt,
  };
}

/** The changes made offline that wait, are being sent, or were refused: all kept until done or dismissed. */
export function usePendingChanges(): Change[] {
  return useMutationState({
    filters: {
      predicate: (m) => offlineChangePath(m) !== null && (m.state.isPaused || (wasQueued(m) && (m.state.status === 'pending' || m.state.status === 'error'))),
    },
    select: (m) => changeOf(m as Mutation<unknown, Error, unknown>),
  });
}

const whatToDo: Record<OfflineChangePath, string> = {
  'purchaseRequests.create': 'Confira os produtos e crie a solicitação de novo, ou descarte.',
  'purchaseRequests.submit': 'Abra o rascunho na lista de solicitações, corrija e envie de novo, ou descarte.',
};

/**
 * The header's list of changes not yet on the server. A refusal (a product deactivated meanwhile, no longer
 * allowed, a conflict) stays here, red, with the server's reason and what to do, until the person tries again or
 * dismisses it: nothing made offline disappears silently.
 */
export function PendingChanges() {
  const changes = usePendingChanges();
  const queryClient = useQueryClient();
  const online = useOnline();
  if (changes.length === 0) return null;
  const refused = changes.filter((c) => c.state === 'refused').length;
  const waiting = changes.length - refused;
  const cache = queryClient.getMutationCache();
  const find = (id: number) => cache.getAll().find((m) => m.mutationId === id);
  const dismiss = (id: number) => {
    const mutation = find(id);
    if (mutation) dismissChange(queryClient, mutation as Mutation<unknown, Error, unknown>);
  };
  const retry = (id: number) => {
    const old = find(id);
    if (!old) return;
    const again = cache.build(queryClient, { mutationKey: old.options.mutationKey, scope: old.options.scope });
    markQueued(again);
    cache.remove(old);
    void again.execute(old.state.variables).catch(() => undefined);
  };
  const summary = [
    refused ? `${refused} ${refused === 1 ? 'alteração recusada' : 'alterações recusadas'}` : null,
    waiting ? `${waiting} ${waiting === 1 ? 'alteração pendente' : 'alterações pendentes'}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <details className={`${styles.pending}${refused ? ` ${styles.pendingRefused}` : ''}`} data-testid="pending-changes">
      {/* The count is announced as it changes (a refusal arriving while the list is closed). */}
      <summary className="btn btn-secondary" aria-live="polite">
        {summary}
      </summary>
      <div className={styles.pendingPanel}>
        {waiting > 0 ? (
          <p className="muted">{online ? 'Enviando ao servidor…' : 'Sem conexão: estas alterações estão guardadas neste tablet e são enviadas quando a conexão voltar.'}</p>
        ) : null}
        <ul>
          {changes.map((c) => (
            <li key={c.id} className={c.state === 'refused' ? styles.pendingItemRefused : undefined}>
              <strong>{c.label}</strong>
              <span className="block muted">feita {when(c.submittedAt).replace(/^de (hoje|ontem)/, '$1').replace(/^de /, 'em ')}</span>
              {c.state === 'refused' ? (
                <>
                  <span className="block">Recusada pelo servidor: {c.error}</span>
                  <span className="block">{whatToDo[c.path]}</span>
                  <span className={styles.pendingActions}>
                    <button type="button" className="btn btn-secondary" onClick={() => retry(c.id)}>
                      Tentar de novo
                    </button>
                    <button type="button" className="btn btn-secondary" onClick={() => dismiss(c.id)}>
                      Descartar
                    </button>
                  </span>
                </>
              ) : (
                <span className="block">
                  {c.state === 'login' ? 'Sua sessão expirou: entre de novo e ela será enviada.' : c.state === 'waiting' ? 'Aguardando conexão' : 'Enviando…'}
                </span>
              )}
            </li>
          ))}
        </ul>
      </div>
    </details>
  );
}

/** For sign-out: how many changes would be lost with this user's kept cache. */
export function useUnsentChangeCount(): number {
  return usePendingChanges().filter((c) => c.state !== 'refused').length;
}
