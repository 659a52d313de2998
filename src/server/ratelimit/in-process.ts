export type InProcessLimitResult = { success: boolean; limit: number; remaining: number; reset: number };

export type InProcessLimiter = {
  limit(identifier: string): InProcessLimitResult;
  size(): number;
};

type Counts = { window: number; current: number; previous: number };

/**
 * The same approximate sliding window as @upstash/ratelimit's (the previous fixed window's count weighted by how much
 * of it still overlaps), kept per process. Map order is least recently used first, so identifiers whose windows
 * have both passed are swept from the front, and beyond `maxEntries` the least recently used are dropped.
 */
export function createInProcessLimiter(opts: {
  requests: number;
  windowMs: number;
  maxEntries?: number;
  now?: () => number;
}): InProcessLimiter {
  const { requests, windowMs } = opts;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const counts = new Map<string, Counts>();

  const evict = (window: number) => {
    for (const [identifier, entry] of counts) {
      if (entry.window >= window - 1 && counts.size <= maxEntries) break;
      counts.delete(identifier);
    }
  };

  return {
    limit(identifier) {
      const at = now();
      const window = Math.floor(at / windowMs);
      const known = counts.get(identifier);
      counts.delete(identifier);
      const entry: Counts =
        known?.window === window
          ? known
          : { window, current: 0, previous: known?.window === window - 1 ? known.current : 0 };
      counts.set(identifier, entry);
      evict(window);

      const reset = (window + 1) * windowMs;
      const weightedPrevious = Math.floor((1 - (at % windowMs) / windowMs) * entry.previous);
      if (weightedPrevious + entry.current >= requests) return { success: false, limit: requests, remaining: 0, reset };
      entry.current += 1;
      return { success: true, limit: requests, remaining: requests - weightedPrevious - entry.current, reset };
    },
    size: () => counts.size,
  };
}
