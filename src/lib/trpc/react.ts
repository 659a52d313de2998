import { createTRPCReact } from '@trpc/react-query';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
// Type-only: the client bundle never contains server code.
import type { AppRouter } from '~/server/api/root';

export const api = createTRPCReact<AppRouter>();

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type Me = RouterOutputs['auth']['me'];
export type Role = Me['user']['role'];
