import { systemContext } from '../domain/context';
import type { AfterCommit } from '../domain/context';
import type { Services } from '../services';
import { scheduleAllTasks } from './templates';

/** A round after a good one looks back this many days (yesterday too: a round just after midnight). */
const ROUND_BACK_DAYS = 1;

/**
 * The workers' compliance scheduler: at start and every `intervalMs`, the tasks every active template owes its
 * stores up to today (one statement, idempotent: two worker processes or a restart create nothing twice). The first
 * round, and any round after a failed one, makes the days missed (CATCH_UP_DAYS back); the others look at yesterday
 * and today only, instead of rescanning five weeks of every template and store each minute. A failed run is logged;
 * the next one makes up for it.
 */
export function startComplianceScheduler(services: Services, opts: { intervalMs: number; afterCommit: AfterCommit }) {
  const logger = services.logger.child({ component: 'compliance-scheduler' });
  let running: Promise<void> | null = null;
  let rounds = 0;
  // Until a round succeeds (at start, after a failure): the full catch-up.
  let catchUp = true;
  const run = () => {
    if (running) return running;
    const requestId = `compliance-scheduler:${++rounds}`;
    running = scheduleAllTasks(systemContext(services, { requestId, logger, afterCommit: opts.afterCommit }), catchUp ? {} : { backDays: ROUND_BACK_DAYS })
      .then((created) => {
        catchUp = false;
        if (created > 0) logger.info({ created }, 'compliance tasks made');
      })
      .catch((error: unknown) => {
        catchUp = true;
        logger.warn({ err: error }, 'compliance scheduling failed; the next round will try again');
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  void run();
  const timer = setInterval(() => void run(), opts.intervalMs);
  timer.unref();
  return {
    /** One round now (tests; a template change makes its own tasks without it). */
    runNow: () => run(),
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
