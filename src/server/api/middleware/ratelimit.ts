import { AppError } from '../../errors';
import type { Principal } from '../../domain/principal';
import type { RateLimitBucket, RateLimiter } from '../../ratelimit/ratelimit';

export type RateLimitCall = {
  rateLimiter: RateLimiter;
  principal: Principal | null;
  ip: string | null;
  setHeader: (name: string, value: string) => void;
};

/**
 * Per user or token when signed in, per IP otherwise (or the bucket and identifier given); headers on every
 * answer, TOO_MANY_REQUESTS with `retryAfterSeconds` and Retry-After over the limit.
 */
export async function enforceRateLimit(call: RateLimitCall, bucket?: RateLimitBucket, identifier?: string): Promise<void> {
  const p = call.principal;
  const b: RateLimitBucket = bucket ?? (p ? 'user' : 'anon');
  const id = identifier ?? (p ? (p.kind === 'token' ? `token:${p.credentialId}` : `user:${p.userId}`) : `ip:${call.ip ?? 'unknown'}`);
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
