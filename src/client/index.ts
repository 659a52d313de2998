import { createTRPCClient, httpBatchLink, httpLink, isNonJsonSerializable, splitLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import superjson from 'superjson';
import type { AppRouter } from './app-router';

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

export type MyInventoryClient = TRPCClient<AppRouter>;

/** The typed client for scripts and other services: every procedure, input and output typed from the server's router. */
export function createMyInventoryClient(opts: MyInventoryClientOptions): MyInventoryClient {
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

/**
 * What the API says with every refusal: `code` (NOT_FOUND, FORBIDDEN, …), `httpStatus`, the procedure's `path`, a
 * stable `reason` to branch on (`not_found`, `role_required`, `rate_limited`, `invalid_input`, …; docs/api.md lists
 * them), what the reason needs in `details`, and for bad input one problem per refused value in `issues`.
 */
export type MyInventoryErrorData = NonNullable<TRPCClientError<AppRouter>['data']>;

/**
 * Whether a call's error is the client's (`TRPCClientError`), typed with our error shape. Its `data` is there when the
 * server answered; absent when no answer came (network down, DNS, a proxy's page).
 */
export function isMyInventoryError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}

export { photoUploadForm } from '../lib/compliance-upload';
