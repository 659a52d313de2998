/**
 * `npm run db:restore -- --file F --yes`: replaces the whole database with backup F (made by db:backup), in one
 * transaction. Stop the app and the workers first. pg_restore comes from PG_BIN_DIR, else the embedded server's
 * own binaries (embedded default), else PATH; a backup newer than the tools or than the server is refused.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { env } from '~/env';
import { BackupRefusal, findPgTools, restoreDatabase } from '~/server/db/backup';
import { databaseForScript } from '~/server/db/script-database';
import { logger } from '~/server/logger';

const { values } = parseArgs({ options: { file: { type: 'string' }, yes: { type: 'boolean' } }, strict: true });
try {
  if (!values.file) throw new BackupRefusal('Say which backup to restore: npm run db:restore -- --file <path> --yes');
  if (!values.yes) throw new BackupRefusal('A restore replaces every row of the database with the backup\'s: stop the app and the workers, then run it again with --yes');
  const file = path.resolve(values.file);
  const tools = await findPgTools({ embedded: !env.DATABASE_URL, binDir: env.PG_BIN_DIR });
  const database = await databaseForScript(env, logger);
  try {
    const done = await restoreDatabase({ url: database.url, file, tools });
    process.stdout.write(`${JSON.stringify({ restored: file, dumpedFrom: done.dumpedFrom, serverMajor: done.serverMajor })}\n`);
  } finally {
    await database.stop();
  }
} catch (error) {
  if (!(error instanceof BackupRefusal)) throw error;
  process.stderr.write(`db:restore: ${error.message}\n`);
  process.exit(2);
}
