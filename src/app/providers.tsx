'use client';

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { httpBatchLink, httpLink, httpSubscriptionLink, isNonJsonSerializable, splitLink } from '@trpc/client';
import { useState, type ReactNode } from 'react';
import superjson from 'superjson';
import { api } from '~/lib/trpc/react';
import { errorCode, errorPath, NON_RETRYABLE_CODES } from '~/lib/trpc/errors';
import { loginUrl, notifyExpiredLogin } from '~/lib/trpc/redirect';

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

function createQueryClient() {
  return new QueryClient({
    queryCache: new QueryCache({ onError: onApiError }),
    mutationCache: new MutationCache({ onError: onApiError }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) => {
          const code = errorCode(error as { message: string });
          if (code && NON_RETRYABLE_CODES.has(code)) return false;
          return failureCount < 2;
        },
      },
      mutations: { retry: false },
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
  return (
    <api.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </api.Provider>
  );
}
