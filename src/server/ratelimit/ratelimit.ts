import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis';
import type { Logger } from '~/server/logger';
import { createOutageTracker } from '~/server/redis/outage';
import { withTimeout } from '~/server/redis/with-timeout';
import { createInProcessLimiter, type InProcessLimiter } from './in-process';

export type RateLimitBucket = 'anon' | 'user' | 'login';
export type RateLimitResult = { success: boolean; limit: number; remaining: number; reset: number /* epoch ms when the window resets */ };
export interface RateLimiter {
  limit(bucket: RateLimitBucket, identifier: string): Promise<RateLimitResult>;
}

const BUCKETS: RateLimitBucket[] = ['anon', 'user', 'login'];

/**
 * Sliding-window limits shared by every instance through Redis. When Redis fails or answers later than `timeoutMs`,
 * that call is decided by an in-process limiter instead, so limits still hold per process during an outage.
 */
export function createRateLimiter(opts: {
  redis: Redis | null;
  prefix: string;
  limits: Record<RateLimitBucket, { requests: number; windowSeconds: number }>;
  logger: Logger;
  timeoutMs?: number;
  /** Told of every decision (metrics); `shared` false when the in-process limiter decided. */
  onDecision?: (decision: { bucket: RateLimitBucket; allowed: boolean; shared: boolean }) => void;
}): RateLimiter {
  const timeoutMs = opts.timeoutMs ?? 500;
  const outage = createOutageTracker(opts.logger, 'ratelimit');
  const limiters = new Map<RateLimitBucket, { shared: Ratelimit | null; local: InProcessLimiter }>(
    BUCKETS.map((bucket) => {
      const { requests, windowSeconds } = opts.limits[bucket];
      const shared = opts.redis
        ? new Ratelimit({
            redis: opts.redis,
            limiter: Ratelimit.slidingWindow(requests, `${windowSeconds} s`),
            prefix: `${opts.prefix}rl:${bucket}`,
            analytics: false,
            // Its own timeout resolves as success (fail open); ours falls back to the in-process limiter instead.
            timeout: 0,
            // Blocked identifiers are answered locally until their window ends; the default Map never shrinks.
            ephemeralCache: new BoundedMap<string, number>(10_000),
          })
        : null;
      return [bucket, { shared, local: createInProcessLimiter({ requests, windowMs: windowSeconds * 1_000 }) }];
    }),
  );

  const decide = async (bucket: RateLimitBucket, identifier: string): Promise<RateLimitResult & { shared: boolean }> => {
    const { shared, local } = limiters.get(bucket)!;
    if (!shared) return { ...local.limit(identifier), shared: false };
    try {
      const { success, limit, remaining, reset } = await withTimeout(shared.limit(identifier), timeoutMs);
      outage.succeeded();
      return { success, limit, remaining, reset, shared: true };
    } catch (error) {
      outage.failed(error);
      return { ...local.limit(identifier), shared: false };
    }
  };

  return {
    async limit(bucket, identifier) {
      const { shared, ...result } = await decide(bucket, identifier);
      opts.onDecision?.({ bucket, allowed: result.success, shared });
      return result;
    },
  };
}

/** A Map that forgets its oldest entry when full (@upstash/ratelimit accepts any Map as its ephemeral cache). */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly maxEntries: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.maxEntries) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
