import postgres from 'postgres';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { adminUrl } from '../../../tests/helpers/db-urls';
import { checkConnectionBudget, connectionBudget } from './connection-budget';

const sql = postgres(adminUrl(), { max: 1, onnotice: () => {} });
afterAll(() => sql.end());

const env = { DATABASE_POOL_MAX: 10, QUEUE_PG_POOL_MAX: 5, REDIS_URL: 'redis://x', APP_INSTANCES: 2, WORKER_PROCESSES: 2, DATABASE_MAX_CONNECTIONS: undefined };

/** A logger whose lines the test reads. */
function capture() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, lines };
}

describe('the connection budget', () => {
  it('adds up every process’s pools and LISTEN connections, by mode', () => {
    // Redis: each app its pool; each worker process its pool and the relay's LISTEN; three kept aside.
    expect(connectionBudget(env, { inProcessWorkers: false })).toMatchObject({ perProcess: { app: 10, workers: 11 }, total: 2 * 10 + 2 * 11 + 3 });
    // BullMQ on PostgreSQL: a pool of up to QUEUE_PG_POOL_MAX per Queue (4) and Worker (4), a LISTEN per Worker.
    const embedded = connectionBudget({ ...env, REDIS_URL: undefined, APP_INSTANCES: 1 }, { inProcessWorkers: true });
    expect(embedded).toMatchObject({ perProcess: { app: 10 + 1 + 1 + 40 + 4 }, processes: { app: 1, workers: 0 }, total: 56 + 3 });
  });

  it('is logged at start against the server’s max_connections, and an excess says what to lower', async () => {
    const [row] = await sql<{ limit: number }[]>`select current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int as limit`;
    const fits = capture();
    const ok = await checkConnectionBudget(sql, env, { inProcessWorkers: false, logger: fits.logger });
    expect(ok).toMatchObject({ fits: true, limit: row!.limit, total: 45 });
    expect(fits.lines.at(-1)).toMatchObject({ level: 30, msg: `connection budget: 45 of ${row!.limit}` });

    const over = capture();
    const tooMany = await checkConnectionBudget(sql, { ...env, APP_INSTANCES: 20 }, { inProcessWorkers: false, logger: over.logger });
    expect(tooMany.fits).toBe(false);
    expect(over.lines.at(-1)!.level).toBe(50);
    expect(over.lines.at(-1)!.msg).toMatch(/^connection budget 225 exceeds the \d+ the database accepts .*: lower DATABASE_POOL_MAX, run fewer processes, or raise the limit/);

    // Behind PgBouncer the limit is its own (max_client_conn), given in env.
    const bouncer = capture();
    expect(await checkConnectionBudget(sql, { ...env, DATABASE_MAX_CONNECTIONS: 40 }, { inProcessWorkers: false, logger: bouncer.logger })).toMatchObject({ fits: false, limit: 40, limitFrom: 'DATABASE_MAX_CONNECTIONS' });
  });
});
