import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import superjson from 'superjson';
import type { AppRouter } from '../server/api/root';

export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export { TRPCClientError };

export type MyInventoryClientOptions = {
  /** Server origin, e.g. `https://inventario.example.com`. */
  url: string;
  /** An API token created by an admin (`mi_...`). */
  token: string;
  /** Extra headers per request, e.g. `x-request-id` to correlate with the server's logs. */
  headers?: () => Record<string, string>;
  fetch?: typeof fetch;
};

/** The typed client for scripts and other services: every procedure, input and output typed from the server's router. */
export function createMyInventoryClient(opts: MyInventoryClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${opts.url.replace(/\/$/, '')}/api/trpc`,
        transformer: superjson,
        maxURLLength: 4000,
        fetch: opts.fetch,
        headers: () => ({ authorization: `Bearer ${opts.token}`, ...opts.headers?.() }),
      }),
    ],
  });
}

export type MyInventoryClient = ReturnType<typeof createMyInventoryClient>;
