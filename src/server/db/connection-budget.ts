import type { Sql } from 'postgres';
import type { Env } from '~/env';
import type { Logger } from '../logger';

/** Queues on BullMQ's PostgreSQL backend, each a Queue object in every process and a Worker in the workers'. */
const QUEUES = 4;
/** Kept for migrations, a psql session, the backup: never planned for the processes. */
const RESERVED = 3;

type BudgetEnv = Pick<Env, 'DATABASE_POOL_MAX' | 'QUEUE_PG_POOL_MAX' | 'REDIS_URL' | 'APP_INSTANCES' | 'WORKER_PROCESSES'>;

/**
 * The most connections each kind of process may open, from the settings (the same env for app and workers), and
 * the deployment's total: `APP_INSTANCES` app processes and `WORKER_PROCESSES` worker processes (one process of
 * both in the embedded default). Each process: its pool (`DATABASE_POOL_MAX`) and LISTEN connections (the outbox
 * relay's in the workers; the live bus's without Redis); on BullMQ's PostgreSQL backend (no REDIS_URL) also a pool
 * of up to QUEUE_PG_POOL_MAX per Queue and per Worker object, and one LISTEN per Worker.
 */
export function connectionBudget(env: BudgetEnv, opts: { inProcessWorkers: boolean }) {
  const pgQueues = !env.REDIS_URL;
  const queuePool = env.QUEUE_PG_POOL_MAX;
  const app = env.DATABASE_POOL_MAX + (pgQueues ? 1 + QUEUES * queuePool : 0);
  const workers = env.DATABASE_POOL_MAX + 1 + (pgQueues ? 1 + 2 * QUEUES * queuePool + QUEUES : 0);
  const inOne = env.DATABASE_POOL_MAX + 1 + (pgQueues ? 1 + 2 * QUEUES * queuePool + QUEUES : 0);
  const processes = opts.inProcessWorkers ? { app: env.APP_INSTANCES, workers: 0 } : { app: env.APP_INSTANCES, workers: env.WORKER_PROCESSES };
  const perProcess = { app: opts.inProcessWorkers ? inOne : app, workers };
  return { perProcess, processes, reserved: RESERVED, total: processes.app * perProcess.app + processes.workers * perProcess.workers + RESERVED };
}

export type BudgetCheck = ReturnType<typeof connectionBudget> & { limit: number; limitFrom: string; fits: boolean };

/**
 * Logs the connection budget at start, against what the database accepts: `DATABASE_MAX_CONNECTIONS` when set
 * (behind PgBouncer: its `max_client_conn`, which the server cannot tell), else the server's `max_connections` less
 * its superuser reserve. Over it: an error that says what to lower (the start goes on: the pools open lazily, and
 * a quiet deployment may never reach its budget).
 */
export async function checkConnectionBudget(sql: Sql, env: BudgetEnv & Pick<Env, 'DATABASE_MAX_CONNECTIONS'>, opts: { inProcessWorkers: boolean; logger: Logger }): Promise<BudgetCheck> {
  const budget = connectionBudget(env, opts);
  let limit: number;
  let limitFrom: string;
  if (env.DATABASE_MAX_CONNECTIONS) {
    limit = env.DATABASE_MAX_CONNECTIONS;
    limitFrom = 'DATABASE_MAX_CONNECTIONS';
  } else {
    const [row] = await sql<{ max: number; reserved: number }[]>`
      select current_setting('max_connections')::int as max, current_setting('superuser_reserved_connections')::int as reserved`;
    limit = row!.max - row!.reserved;
    limitFrom = 'max_connections - superuser_reserved_connections';
  }
  const check = { ...budget, limit, limitFrom, fits: budget.total <= limit };
  if (check.fits) opts.logger.info({ connectionBudget: check }, `connection budget: ${budget.total} of ${limit}`);
  else {
    opts.logger.error(
      { connectionBudget: check },
      `connection budget ${budget.total} exceeds the ${limit} the database accepts (${limitFrom}): lower DATABASE_POOL_MAX` +
        `${env.REDIS_URL ? '' : ' or QUEUE_PG_POOL_MAX'}, run fewer processes, or raise the limit (README "Connection budget")`,
    );
  }
  return check;
}
