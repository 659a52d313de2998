'use client';

import { MutationCache, onlineManager, QueryCache, QueryClient, QueryClientProvider, type Query } from '@tanstack/react-query';
import { PersistQueryClientProvider } from '@tanstack/react-query-persist-client';
import { getUntypedClient, httpBatchLink, httpLink, httpSubscriptionLink, isNonJsonSerializable, splitLink } from '@trpc/client';
import { useEffect, useState, type ReactNode } from 'react';
import superjson from 'superjson';
import { buildId } from '~/lib/browser/env';
import { api } from '~/lib/trpc/react';
import { errorCode, errorPath, NON_RETRYABLE_CODES } from '~/lib/trpc/errors';
import { keepMutation, markRestoredChanges, registerOfflineChanges } from '~/lib/trpc/offline-changes';
import { loginUrl, notifyExpiredLogin } from '~/lib/trpc/redirect';
import { createQueryPersister } from '~/offline/query-persister';

let redirectingToLogin = false;

/** Any call answered UNAUTHORIZED means the session is gone: back to the login, then back here (unless the page handles it). */
function onApiError(error: unknown) {
  if (typeof window === 'undefined' || redirectingToLogin) return;
  const e = error as { message: string; data?: unknown };
  // A failed login is answered UNAUTHORIZED too; the login form shows that one itself.
  if (errorCode(e) !== 'UNAUTHORIZED' || errorPath(e) === 'auth.login') return;
  if (window.location.pathname === '/login') return;
  // A page that works on without a login (counting) shows its own "sign in again" instead of being interrupted.
  if (notifyExpiredLogin(window.location.pathname)) return;
  redirectingToLogin = true;
  window.location.replace(loginUrl(window.location.pathname + window.location.search));
}

/**
 * How long answers are kept for offline use: long enough for yesterday's answers on the first morning without a
 * connection. Queries are kept in memory as long (a query dropped from memory is dropped from the kept copy).
 */
const KEEP_MS = 3 * 24 * 60 * 60 * 1000;

/** Pages outside the signed-in app (the login, the operator's area, the status page) neither read nor write the kept cache. */
const outsideTheApp = () => /^\/(login|operator|status)(\/|$)/.test(window.location.pathname);

/** Kept: successful answers of the org's procedures; never the operator's, never a failure. */
const keepQuery = (query: Query) => {
  if (query.state.status !== 'success') return false;
  const [router, procedure] = Array.isArray(query.queryKey[0]) ? (query.queryKey[0] as string[]) : [];
  if (router === 'operator') return false;
  return router !== 'auth' || procedure === 'me';
};

function createQueryClient() {
  // React Query learns of the connection from the browser's online/offline events only: a page opened offline
  // (from the home screen, in the stockroom) must start offline, so that its changes wait instead of failing.
  if (typeof navigator !== 'undefined') onlineManager.setOnline(navigator.onLine);
  return new QueryClient({
    queryCache: new QueryCache({ onError: onApiError }),
    mutationCache: new MutationCache({ onError: onApiError }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        gcTime: KEEP_MS,
        // Offline, a query is tried once (the service worker may hold its answer), then waits for the network with
        // the data it has (kept from the last visit) instead of failing.
        networkMode: 'offlineFirst',
        refetchOnWindowFocus: false,
        retry: (failureCount, error) => {
          const code = errorCode(error as { message: string });
          if (code && NON_RETRYABLE_CODES.has(code)) return false;
          return failureCount < 2;
        },
      },
      // A change fails at once without a connection (the person sees it), except the ones made to wait offline
      // (src/lib/trpc/offline-changes.ts sets `online` for them).
      mutations: { retry: false, networkMode: 'always' },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(() =>
    api.createClient({
      links: [
        // Subscriptions are Server-Sent Events (same origin, so the session cookie goes along); the rest is batched.
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: httpSubscriptionLink({ url: '/api/trpc', transformer: superjson }),
          // A file (a compliance photo as FormData) goes alone, as it is; the rest is batched JSON.
          false: splitLink({
            condition: (op) => isNonJsonSerializable(op.input),
            true: httpLink({ url: '/api/trpc', transformer: superjson }),
            false: httpBatchLink({ url: '/api/trpc', transformer: superjson }),
          }),
        }),
      ],
    }),
  );
  useEffect(() => registerOfflineChanges(queryClient, getUntypedClient(trpcClient)), [queryClient, trpcClient]);
  const [persister] = useState(() => (typeof window === 'undefined' || outsideTheApp() ? null : createQueryPersister({ buster: buildId, maxAgeMs: KEEP_MS })));
  return (
    <api.Provider client={trpcClient} queryClient={queryClient}>
      {persister ? (
        <PersistQueryClientProvider
          client={queryClient}
          persistOptions={{ persister, maxAge: KEEP_MS, buster: buildId, dehydrateOptions: { shouldDehydrateQuery: keepQuery, shouldDehydrateMutation: keepMutation } }}
          onSuccess={() => {
            // Kept answers show at once, and are asked again (a reload means "show me what is new"); offline the
            // questions wait and the kept answers stay.
            void queryClient.invalidateQueries();
            // Changes left waiting (offline, or a tab closed while sending) go once the server has said who is signed
            // in (the app shell's useCacheOwner), never before: they must leave with their author's session.
            markRestoredChanges(queryClient);
          }}
        >
          {children}
        </PersistQueryClientProvider>
      ) : (
        <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
      )}
    </api.Provider>
  );
}
