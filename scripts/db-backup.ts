/**
 * `npm run db:backup [-- --file F]`: the whole database in pg_dump's custom format, to F (default:
 * DATA_DIR/backups/myinventory-<UTC time>.dump). pg_dump comes from PG_BIN_DIR, else the embedded server's own
 * binaries (embedded default), else PATH. stdout gets one JSON line: the file, its bytes, the server's version.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { env } from '~/env';
import { BackupRefusal, backupDatabase, findPgTools } from '~/server/db/backup';
import { databaseForScript } from '~/server/db/script-database';
import { logger } from '~/server/logger';

const { values } = parseArgs({ options: { file: { type: 'string' } }, strict: true });
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
const file = path.resolve(values.file ?? path.join(env.DATA_DIR, 'backups', `myinventory-${stamp}.dump`));

try {
  const tools = await findPgTools({ embedded: !env.DATABASE_URL, binDir: env.PG_BIN_DIR });
  const database = await databaseForScript(env, logger);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const done = await backupDatabase({ url: database.url, file, tools });
    const { size } = await stat(file);
    process.stdout.write(`${JSON.stringify({ file, bytes: size, serverMajor: done.serverMajor, pgDump: tools.major })}\n`);
  } finally {
    await database.stop();
  }
} catch (error) {
  if (!(error instanceof BackupRefusal)) throw error;
  process.stderr.write(`db:backup: ${error.message}\n`);
  process.exit(2);
}
