import { systemContext } from '../domain/context';
import type { AfterCommit } from '../domain/context';
import type { Services } from '../services';
import { scheduleAllTasks } from './templates';

/**
 * The workers' compliance scheduler: at start and every `intervalMs`, the tasks every active template owes its
 * stores up to today (one statement, idempotent: two worker processes or a restart create nothing twice, and a run
 * after a stop makes the days it missed). A failed run is logged; the next one makes up for it.
 */
export function startComplianceScheduler(services: Services, opts: { intervalMs: number; afterCommit: AfterCommit }) {
  const logger = services.logger.child({ component: 'compliance-scheduler' });
  let running: Promise<void> | null = null;
  let rounds = 0;
  const run = () => {
    if (running) return running;
    const requestId = `compliance-scheduler:${++rounds}`;
    running = scheduleAllTasks(systemContext(services, { requestId, logger, afterCommit: opts.afterCommit }))
      .then((created) => {
        if (created > 0) logger.info({ created }, 'compliance tasks made');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'compliance scheduling failed; the next round will try again'))
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
