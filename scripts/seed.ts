/**
 * Seeds the database.
 *   npx tsx scripts/seed.ts --scale N [--seed S]   the benchmark org (slug "scale"), replaced on every run
 *   npx tsx scripts/seed.ts --demo                 the demo org, only into a database with no organization
 * stdout gets one JSON line with the result; progress and the summary go to stderr.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { env } from '~/env';
import { createDatabase } from '~/server/db/client';
import { runMigrations } from '~/server/db/migrate';
import { resolveDatabaseUrl } from '~/server/db/resolve';
import { seedDemo } from '~/server/seed/demo';
import { scaleSize, seedScale } from '~/server/seed/scale';

const USAGE = 'usage: npx tsx scripts/seed.ts --scale N [--seed S] | --demo';

type Command = { kind: 'scale'; scale: number; seed?: number } | { kind: 'demo' };

class UsageError extends Error {}

function parseCommand(argv: string[]): Command {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { scale: { type: 'string' }, seed: { type: 'string' }, demo: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new UsageError('');
  if (values.demo) {
    if (values.scale !== undefined || values.seed !== undefined) throw new UsageError('--demo takes no --scale or --seed');
    return { kind: 'demo' };
  }
  if (values.scale === undefined) throw new UsageError('--scale is required');
  const scale = Number(values.scale);
  if (values.scale.trim() === '' || !Number.isFinite(scale) || scale <= 0) throw new UsageError(`--scale must be a positive number, got "${values.scale}"`);
  try {
    scaleSize(scale);
  } catch (error) {
    throw new UsageError(`--scale: ${(error as Error).message}`);
  }
  let seed: number | undefined;
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!/^\d+$/.test(values.seed.trim()) || !Number.isSafeInteger(seed) || seed > 0xffffffff) {
      throw new UsageError(`--seed must be an integer from 0 to 4294967295, got "${values.seed}"`);
    }
  }
  return { kind: 'scale', scale, seed };
}

async function main(): Promise<void> {
  let command: Command;
  try {
    command = parseCommand(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message ? `seed: ${error.message}\n` : ''}${USAGE}\n`);
    process.exitCode = 2;
    return;
  }

  // stdout carries the result line, so logs go to stderr.
  const logger = pino({ name: 'seed', level: env.LOG_LEVEL }, pino.destination(2));
  const database = await resolveDatabaseUrl(env, logger);
  const handle = createDatabase({
    url: database.url,
    poolMax: 4,
    prepare: env.DATABASE_PREPARE,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: 'myinventory-seed',
  });
  try {
    await runMigrations(database.url);
    if (command.kind === 'demo') {
      const result = await seedDemo(handle.db, handle.sql);
      process.stdout.write(`${JSON.stringify({ kind: 'demo', ...result })}\n`);
      process.stderr.write(result.seeded ? 'demo organization seeded. Logins:\n' : 'the database already has organizations; nothing seeded. Demo logins:\n');
      for (const login of result.logins) process.stderr.write(`  ${login.role.padEnd(8)} ${login.email} / ${login.password}\n`);
      return;
    }
    const result = await seedScale(handle.sql, {
      scale: command.scale,
      seed: command.seed,
      onProgress: (msg) => process.stderr.write(`[seed] ${msg}\n`),
    });
    process.stdout.write(`${JSON.stringify({ kind: 'scale', scale: command.scale, seed: command.seed ?? null, ...result })}\n`);
    const rows = Object.entries(result.counts)
      .map(([table, count]) => `  ${table.padEnd(22)} ${count.toLocaleString('en-US')}`)
      .join('\n');
    process.stderr.write(`scale ${command.scale} seeded in ${(result.timings.total! / 1000).toFixed(1)} s (org ${result.orgId})\n${rows}\nLogins:\n`);
    for (const login of result.logins) process.stderr.write(`  ${login.role.padEnd(8)} ${login.email} / ${login.password}\n`);
  } finally {
    await handle.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`seed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
