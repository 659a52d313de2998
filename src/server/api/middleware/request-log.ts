import type { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { Logger } from '../../logger';
import type { Services } from '../../services';

const EXPECTED = new Set(['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'TOO_MANY_REQUESTS', 'PRECONDITION_FAILED', 'PARSE_ERROR']);
/** A refusal of the caller's request (validation, sign-in, role, not found, conflict, limits): logged as info, never reported. */
export const isClientMistake = (code: string) => EXPECTED.has(code);

/** Client mistakes are info; anything else is an error logged here once, with its cause chain. */
export function logProcedureResult(logger: Logger, call: { path: string; type: string; durationMs: number; error: TRPCError | null }) {
  const fields = { path: call.path, type: call.type, durationMs: Math.round(call.durationMs * 10) / 10 };
  if (!call.error) return logger.debug(fields, 'call ok');
  if (isClientMistake(call.error.code)) return logger.info({ ...fields, code: call.error.code, reason: call.error.message }, 'call refused');
  logger.error({ ...fields, code: call.error.code, err: call.error.cause ?? call.error }, 'call failed');
}

/** The call in this process's metrics and in the cluster's figures (a 5xx counts as an error there; a refusal does not). */
export function recordProcedureResult(services: Pick<Services, 'metrics' | 'figures'>, call: { path: string; type: string; durationMs: number; error: TRPCError | null }) {
  const seconds = call.durationMs / 1000;
  services.metrics.trpcCalls.inc({ procedure: call.path, type: call.type, code: call.error?.code ?? 'OK' });
  services.metrics.trpcDuration.observe({ procedure: call.path, type: call.type }, seconds);
  services.figures.call(call.path, seconds, call.error !== null && getHTTPStatusCodeFromError(call.error) >= 500);
}
