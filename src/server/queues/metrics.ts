/** One minute of a queue: jobs completed and failed in it, and the failed share (null when none finished). */
export type QueueMinute = { at: number; completed: number; failed: number; failureRate: number | null };

/** What BullMQ's `getMetrics` returns. */
export type QueueMetrics = { meta: { count: number; prevTS: number; prevCount: number }; data: number[] };

const MINUTE = 60_000;

/**
 * BullMQ's per-minute counts by the minute they belong to. BullMQ writes a point only when a job finishes in a
 * later minute: `data[0]` is the minute before the one of `meta.prevTS` (the last finish it recorded), `data[i]`
 * the i-th before that, and the jobs since `prevTS` (count − prevCount) belong to prevTS's own minute. So after a
 * quiet spell the points are not the minutes just before now.
 */
export function countsByMinute(metrics: QueueMetrics | null): Map<number, number> {
  const counts = new Map<number, number>();
  if (!metrics?.meta.prevTS) return counts;
  const last = Math.floor(metrics.meta.prevTS / MINUTE) * MINUTE;
  counts.set(last, metrics.meta.count - metrics.meta.prevCount);
  metrics.data.forEach((n, i) => counts.set(last - (i + 1) * MINUTE, n));
  return counts;
}

/** The 60 whole minutes before `now`'s minute, oldest first, from counts keyed by the start of each minute. */
export function minutesOfLastHour(done: Map<number, number>, lost: Map<number, number>, now: number): QueueMinute[] {
  const current = Math.floor(now / MINUTE) * MINUTE;
  const minutes: QueueMinute[] = [];
  for (let at = current - 60 * MINUTE; at < current; at += MINUTE) {
    const c = done.get(at) ?? 0;
    const f = lost.get(at) ?? 0;
    minutes.push({ at, completed: c, failed: f, failureRate: c + f === 0 ? null : f / (c + f) });
  }
  return minutes;
}

/** A BullMQ queue's last hour, minute by minute (none when the queue never finished a job). */
export function lastHour(completed: QueueMetrics | null, failed: QueueMetrics | null, now: number): QueueMinute[] {
  const done = countsByMinute(completed);
  const lost = countsByMinute(failed);
  if (done.size === 0 && lost.size === 0) return [];
  return minutesOfLastHour(done, lost, now);
}
