import type { Logger } from '~/server/logger';

export type OutageTracker = {
  failed(error: unknown): void;
  succeeded(): void;
  readonly down: boolean;
};

/** Logs a Redis outage once when it starts and once when it ends, however many commands fail in between. */
export function createOutageTracker(logger: Logger, component: string): OutageTracker {
  let down = false;
  return {
    failed(error) {
      if (down) return;
      down = true;
      logger.warn({ component, err: error }, `${component}: Redis unavailable, falling back until it recovers`);
    },
    succeeded() {
      if (!down) return;
      down = false;
      logger.info({ component }, `${component}: Redis recovered`);
    },
    get down() {
      return down;
    },
  };
}
