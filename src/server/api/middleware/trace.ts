import type { TRPCError } from '@trpc/server';
import { inSpan, recordingSpanActive, SpanStatusCode } from '../../telemetry/spans';
import { isClientMistake } from './request-log';

type CallResult = { ok: true } | { ok: false; error: TRPCError };

/**
 * A span per procedure call (`trpc <path>`), child of the HTTP server span, with its type and its outcome's code.
 * A refusal of the caller's input (4xx) leaves the span's status unset: only a failure of ours is an error.
 */
export function tracedCall<R extends CallResult>(call: { path: string; type: string }, next: () => Promise<R>): Promise<R> {
  // A request the sampler left out: no span for its call either (the log lines keep the request's trace id).
  if (!recordingSpanActive()) return next();
  return inSpan(`trpc ${call.path}`, { attributes: { 'rpc.system': 'trpc', 'rpc.method': call.path, 'trpc.type': call.type } }, async (span) => {
    const result = await next();
    span.setAttribute('trpc.code', result.ok ? 'OK' : result.error.code);
    if (!result.ok && !isClientMistake(result.error.code)) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.code });
    return result;
  });
}
