import os from 'node:os';
import type { Services } from '../services';
import { beat, markStopped } from './queries';

/**
 * This instance's name in heartbeats and alerts: stable across restarts (so a restarted process takes its row back
 * and its incident resolves): INSTANCE_NAME or the host name, the role, and the port that tells two instances of
 * one host apart (the app's HTTP port, a worker's metrics port).
 */
export function instanceName(env: { INSTANCE_NAME?: string }, role: 'app' | 'workers', port?: number): string {
  return [env.INSTANCE_NAME ?? os.hostname(), role, port].filter((part) => part !== undefined).join(':');
}

/**
 * Beats every WATCHDOG_INTERVAL_MS with this process's circuit breakers, first at once. A beat that fails
 * (PostgreSQL down) is logged once and tried again next time; `stop` marks the instance stopped on purpose.
 */
export function startHeartbeat(services: Pick<Services, 'db' | 'env' | 'logger' | 'integrations'>, opts: { instance: string; role: 'app' | 'workers' }) {
  const log = services.logger.child({ component: 'heartbeat', instance: opts.instance });
  const startedAt = new Date();
  let failing = false;
  let running: Promise<void> = Promise.resolve();
  const once = () =>
    (running = beat(services.db, {
      instance: opts.instance,
      role: opts.role,
      pid: process.pid,
      version: services.env.APP_VERSION,
      startedAt,
      integrations: services.integrations.statuses().map(({ name, state }) => ({ name, state })),
    }).then(
      () => {
        if (failing) log.info('heartbeat written again');
        failing = false;
      },
      (error: unknown) => {
        if (!failing) log.warn({ err: error }, 'heartbeat could not be written');
        failing = true;
      },
    ));
  void once();
  const timer = setInterval(() => void once(), services.env.WATCHDOG_INTERVAL_MS);
  timer.unref();
  return {
    instance: opts.instance,
    /** Beats now (a breaker just changed, a test wants it seen). */
    beatNow: once,
    async stop() {
      clearInterval(timer);
      await running;
      await markStopped(services.db, opts.instance, process.pid).catch((error: unknown) => log.warn({ err: error }, 'could not mark the instance stopped'));
    },
  };
}
