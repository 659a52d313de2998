'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '~/lib/trpc/react';

/** Query key prefix of the recent-request pages loaded with "Carregar mais" (see recent-requests.tsx). */
export const RECENT_MORE_KEY = ['dashboard', 'recent-more'] as const;

/** Events closer together than this cause one refetch: a bulk approval of 50 items is one refresh, not 50. */
const COALESCE_MS = 200;

export type LiveState = { status: 'idle' | 'connecting' | 'pending' | 'error'; connectedOnce: boolean; error: { message: string } | null; reconnect: () => void };

/**
 * One Server-Sent Events stream per open dashboard: every change the server reports makes the summary (and the
 * extra pages of recent requests) refetch, well within a second, unless the figures shown already have the
 * version the event carries. After a reconnect it refetches too, since
 * events sent while the stream was down are not replayed.
 */
export function useLiveDashboard(storeId: string | null): LiveState {
  const utils = api.useUtils();
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void utils.dashboard.summary.invalidate();
      void queryClient.invalidateQueries({ queryKey: RECENT_MORE_KEY });
    }, COALESCE_MS);
  }, [utils, queryClient]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  // Progress of a count (a tablet synced) changes no figure here: nothing to refetch. An event carrying the version
  // the summary on screen already has (a refetch after a reconnect or a stale answer got there first) does not
  // refetch the summary; the extra pages of recent requests carry no version, so those (when any were loaded) are
  // refetched all the same.
  const onEvent = useCallback(
    (event: { version?: number; progressOnly?: true }) => {
      if (event.progressOnly) return;
      if (event.version !== undefined && event.version === utils.dashboard.summary.getData({ storeId })?.version) {
        void queryClient.invalidateQueries({ queryKey: RECENT_MORE_KEY });
        return;
      }
      refresh();
    },
    [utils, queryClient, storeId, refresh],
  );
  const subscription = api.dashboard.live.useSubscription({ storeId }, { onData: onEvent });

  const [connectedOnce, setConnectedOnce] = useState(false);
  const previous = useRef(subscription.status);
  useEffect(() => {
    const before = previous.current;
    previous.current = subscription.status;
    if (subscription.status !== 'pending' || before === 'pending') return;
    if (connectedOnce) refresh();
    else setConnectedOnce(true);
  }, [subscription.status, connectedOnce, refresh]);

  return { status: subscription.status, connectedOnce, error: subscription.error, reconnect: subscription.reset };
}
