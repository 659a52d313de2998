/**
 * Creates a platform operator: the one account outside every organization, which owns what all of them share
 * (Bull Board, the system's dead letters, the process figures). Only this command makes one.
 *   npm run operator:create -- --email ops@example.com --name "Ana Operadora"
 * The password comes from OPERATOR_PASSWORD, or else from stdin (asked twice, unechoed, on a terminal; the first
 * line of a pipe otherwise), never from an argument: arguments show in `ps` and the shell's history.
 * stdout gets one JSON line with the operator; messages go to stderr. Exit 2: usage; 1: refused or failed.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { z } from 'zod';
import { env } from '~/env';
import { createPlatformOperator } from '~/server/accounts/operators';
import { email as emailSchema, text } from '~/server/api/validators';
import { createDatabase } from '~/server/db/client';
import { runMigrations } from '~/server/db/migrate';
import { resolveDatabaseUrl } from '~/server/db/resolve';
import { AppError } from '~/server/errors';

const USAGE = 'usage: npm run operator:create -- --email EMAIL --name NAME   (password: OPERATOR_PASSWORD, or stdin)';
/** Longer than a user's minimum (8): this account sees every organization's jobs. */
const MIN_PASSWORD = 12;
const passwordSchema = z.string().min(MIN_PASSWORD).max(200);

class UsageError extends Error {}

function parseCommand(argv: string[]): { email: string; name: string } {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { email: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new UsageError('');
  const email = emailSchema.safeParse(values.email ?? '');
  if (!email.success) throw new UsageError(`--email must be an email address, got "${values.email ?? ''}"`);
  const name = text(120).safeParse(values.name ?? '');
  if (!name.success) throw new UsageError('--name is required (at most 120 characters)');
  return { email: email.data, name: name.data };
}

/** A terminal's line, typed without echo. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(), resolve(value);
        if (ch === '\u0003' || ch === '\u0004') return finish(), reject(new UsageError('cancelled'));
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPassword(): Promise<string> {
  // A secret of this command only: deliberately not in the server's validated environment (src/env.ts).
  const fromEnv = process.env.OPERATOR_PASSWORD;
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY) {
    const first = await promptHidden(`Password (at least ${MIN_PASSWORD} characters): `);
    if ((await promptHidden('Password again: ')) !== first) throw new UsageError('the passwords differ');
    return first;
  }
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  return input.split(/\r?\n/, 1)[0] ?? '';
}

async function main(): Promise<void> {
  let command: { email: string; name: string };
  let password: string;
  try {
    command = parseCommand(process.argv.slice(2));
    password = await readPassword();
    if (!password) throw new UsageError('no password: set OPERATOR_PASSWORD or give it on stdin');
    if (!passwordSchema.safeParse(password).success) throw new UsageError(`the password must have ${MIN_PASSWORD} to 200 characters`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message ? `operator:create: ${error.message}\n` : ''}${USAGE}\n`);
    process.exitCode = 2;
    return;
  }

  const logger = pino({ name: 'operator-create', level: env.LOG_LEVEL }, pino.destination(2));
  const database = await resolveDatabaseUrl(env, logger);
  const handle = createDatabase({ url: database.url, poolMax: 1, prepare: env.DATABASE_PREPARE, statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS, applicationName: 'myinventory-operator-create' });
  try {
    await runMigrations(database.url);
    const operator = await createPlatformOperator(handle.db, { ...command, password });
    process.stdout.write(`${JSON.stringify(operator)}\n`);
    process.stderr.write(`platform operator ${operator.email} created: sign in at /login, the operator's pages are under /operator\n`);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    process.stderr.write(`operator:create: ${error.message}\n`);
    process.exitCode = 1;
  } finally {
    await handle.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`operator:create failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
