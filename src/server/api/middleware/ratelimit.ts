import { AppError } from '../../errors';
import type { Caller } from '../../domain/principal';
import type { RateLimitBucket, RateLimiter } from '../../ratelimit/ratelimit';

export type RateLimitCall = {
  rateLimiter: RateLimiter;
  caller: Caller | null;
  ip: string | null;
  setHeader: (name: string, value: string) => void;
};

/** A signed-in caller's own budget: per user, per API token, or per platform operator. */
function callerKey(caller: Caller | null): string | null {
  if (!caller) return null;
  if (caller.kind === 'operator') return `operator:${caller.operatorId}`;
  return caller.kind === 'token' ? `token:${caller.credentialId}` : `user:${caller.userId}`;
}

/**
 * Per user or token when signed in, per IP otherwise (or the bucket and identifier given); headers on every
 * answer, TOO_MANY_REQUESTS with `retryAfterSeconds` and Retry-After over the limit.
 */
export async function enforceRateLimit(call: RateLimitCall, bucket?: RateLimitBucket, identifier?: string): Promise<void> {
  const b: RateLimitBucket = bucket ?? (call.caller ? 'user' : 'anon');
  const id = identifier ?? callerKey(call.caller) ?? `ip:${call.ip ?? 'unknown'}`;
  const result = await call.rateLimiter.limit(b, id);
  call.setHeader('X-RateLimit-Limit', String(result.limit));
  call.setHeader('X-RateLimit-Remaining', String(Math.max(0, result.remaining)));
  call.setHeader('X-RateLimit-Reset', String(Math.ceil(result.reset / 1000)));
  if (!result.success) {
    const retryAfterSeconds = Math.max(1, Math.ceil((result.reset - Date.now()) / 1000));
    call.setHeader('Retry-After', String(retryAfterSeconds));
    throw new AppError('LIMIT_EXCEEDED', 'rate_limited', `Too many requests; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}
