import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { ZodError } from 'zod';
import { problemOfIssue } from '~/lib/problems';
import { AppError, pgErrorCode, toTRPCError } from '../errors';

/**
 * An error of a file route (exports, labels) as our JSON answer: the status, and a body with a stable reason (and the
 * refused values) like the API's. `appError` is null for a failure of ours (a 500, logged by the caller).
 */
export function refusal(error: unknown, requestId: string, invalidMessage: string): { status: number; body: Record<string, unknown>; appError: AppError | null } {
  if (error instanceof ZodError) {
    const appError = new AppError('INVALID', 'invalid_input', invalidMessage);
    return { status: 400, appError, body: { error: appError.message, reason: 'invalid_input', issues: error.issues.map(problemOfIssue), requestId } };
  }
  // PostgreSQL's data exceptions are the caller's input (as in the API): a 400, never a 500.
  const appError =
    error instanceof AppError
      ? error
      : pgErrorCode(error)?.startsWith('22')
        ? new AppError('INVALID', 'value_not_storable', 'A parameter cannot be used as given')
        : null;
  if (!appError) return { status: 500, appError: null, body: { error: 'Internal server error', requestId } };
  const status = getHTTPStatusCodeFromError(toTRPCError(appError));
  return { status, appError, body: { error: appError.message, reason: appError.reason, details: appError.data ?? null, requestId } };
}
