import { TRPCError } from '@trpc/server';
import type { RateLimitBucket } from '../../ratelimit/ratelimit';
import type { Context } from '../trpc';

/** Per user/token when signed in, per IP otherwise; headers on every answer, 429 + Retry-After over the limit. */
export async function enforceRateLimit(ctx: Context, bucket?: RateLimitBucket, identifier?: string): Promise<void> {
  const b: RateLimitBucket = bucket ?? (ctx.principal ? 'user' : 'anon');
  const p = ctx.principal;
  const id = identifier ?? (p ? (p.kind === 'token' ? `token:${p.credentialId}` : `user:${p.userId}`) : `ip:${ctx.ip ?? 'unknown'}`);
  const result = await ctx.services.rateLimiter.limit(b, id);
  ctx.setHeader('X-RateLimit-Limit', String(result.limit));
  ctx.setHeader('X-RateLimit-Remaining', String(Math.max(0, result.remaining)));
  ctx.setHeader('X-RateLimit-Reset', String(Math.ceil(result.reset / 1000)));
  if (!result.success) {
    const retryAfter = Math.max(1, Math.ceil((result.reset - Date.now()) / 1000));
    ctx.setHeader('Retry-After', String(retryAfter));
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `Too many requests; try again in ${retryAfter} s` });
  }
}
