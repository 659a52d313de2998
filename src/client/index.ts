import { createTRPCClient, httpBatchLink, httpLink, isNonJsonSerializable, splitLink, TRPCClientError } from '@trpc/client';
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
  const url = `${opts.url.replace(/\/$/, '')}/api/trpc`;
  const headers = () => ({ authorization: `Bearer ${opts.token}`, ...opts.headers?.() });
  return createTRPCClient<AppRouter>({
    links: [
      // A file (compliance.uploadPhoto's FormData, see photoUploadForm) goes alone, as it is; the rest is batched JSON.
      splitLink({
        condition: (op) => isNonJsonSerializable(op.input),
        true: httpLink({ url, transformer: superjson, fetch: opts.fetch, headers }),
        false: httpBatchLink({ url, transformer: superjson, maxURLLength: 4000, fetch: opts.fetch, headers }),
      }),
    ],
  });
}

export { photoUploadForm } from '../lib/compliance-upload';

export type MyInventoryClient = ReturnType<typeof createMyInventoryClient>;
