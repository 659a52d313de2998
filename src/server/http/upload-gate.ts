import type { IncomingMessage } from 'node:http';

/**
 * Admission of photo uploads (`compliance.uploadPhoto`): at most `ratePerSecond` start per second on this instance,
 * in arrival order; the others wait before their body is read (TCP holds it back), so an opening checklist of
 * hundreds of photos at once is spread over a minute instead of taking the cores the people on the dashboard and the
 * counting screens need, and nothing is sent twice. A photo that would wait longer than `maxWaitMs` is refused
 * (503 with Retry-After: the tablet keeps it and sends it later); a tablet that hangs up leaves the line.
 */
export function createUploadGate(opts: { ratePerSecond: number; maxWaitMs: number }) {
  const interval = 1000 / opts.ratePerSecond;
  /** When the next upload may start; the line is the time between now and then. */
  let nextAt = 0;
  let waiting = 0;
  return {
    /** Uploads waiting their turn (not counted as in flight by the load shedder: they cost nothing yet). */
    get waiting() {
      return waiting;
    },
    /** Resolves true when the upload may start, false when it would wait too long (or the tablet hung up). */
    async admit(req: IncomingMessage): Promise<boolean> {
      if (opts.ratePerSecond <= 0) return true;
      const now = performance.now();
      const startAt = Math.max(now, nextAt);
      if (startAt - now > opts.maxWaitMs) return false;
      nextAt = startAt + interval;
      if (startAt <= now) return true;
      waiting++;
      try {
        return await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(!req.destroyed), startAt - now);
          req.once('close', () => {
            clearTimeout(timer);
            resolve(false);
          });
        });
      } finally {
        waiting--;
      }
    },
  };
}
