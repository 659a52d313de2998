import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { packagedBinaries } from './embedded';

const run = promisify(execFile);

/** A backup or restore that cannot be done as asked: the message says why and what to do. */
export class BackupRefusal extends Error {
  override name = 'BackupRefusal';
}

export type PgTools = { pgDump: string; pgRestore: string; psql: string; major: number; from: string };

const majorOf = (versionText: string) => {
  const match = /(\d+)(?:\.(\d+))?/.exec(versionText);
  if (!match) throw new BackupRefusal(`Cannot read a PostgreSQL version from "${versionText.trim()}"`);
  return Number(match[1]);
};

async function toolsIn(dir: string | null, from: string): Promise<PgTools | null> {
  const [pgDump, pgRestore, psql] = ['pg_dump', 'pg_restore', 'psql'].map((name) => (dir ? path.join(dir, name) : name)) as [string, string, string];
  if (dir && [pgDump, pgRestore, psql].some((file) => !existsSync(file))) return null;
  try {
    const versions = await Promise.all([pgDump, pgRestore, psql].map((tool) => run(tool, ['--version'])));
    const major = majorOf(versions[0]!.stdout);
    if (versions.some((v) => majorOf(v.stdout) !== major)) throw new BackupRefusal(`pg_dump, pg_restore and psql${dir ? ` in ${dir}` : ''} are of different PostgreSQL versions`);
    return { pgDump, pgRestore, psql, major, from };
  } catch (error) {
    if (error instanceof BackupRefusal) throw error;
    return null;
  }
}

/**
 * pg_dump and pg_restore: from PG_BIN_DIR when set; with the embedded server, its own binaries (the packaged
 * PostgreSQL has none today: then a clear refusal that says what to install); otherwise the system's (PATH).
 */
export async function findPgTools(opts: { embedded: boolean; binDir?: string | undefined }): Promise<PgTools> {
  if (opts.binDir) {
    const tools = await toolsIn(opts.binDir, `PG_BIN_DIR (${opts.binDir})`);
    if (!tools) throw new BackupRefusal(`PG_BIN_DIR=${opts.binDir} holds no working pg_dump, pg_restore and psql`);
    return tools;
  }
  if (opts.embedded) {
    const packaged = await packagedBinaries();
    const tools = await toolsIn(path.dirname(packaged.postgres), `the embedded PostgreSQL ${packaged.version}`);
    if (tools) return tools;
    throw new BackupRefusal(
      `The embedded PostgreSQL (${packaged.version}) ships no pg_dump, pg_restore or psql. Install PostgreSQL ${majorOf(packaged.version)}'s client programs ` +
        `and set PG_BIN_DIR to their directory (e.g. PG_BIN_DIR=/usr/lib/postgresql/${majorOf(packaged.version)}/bin), or run on a server of your own (DATABASE_URL).`,
    );
  }
  const tools = await toolsIn(null, 'the system (PATH)');
  if (!tools) throw new BackupRefusal('pg_dump, pg_restore and psql were not found on PATH: install PostgreSQL client programs of the server\'s version, or set PG_BIN_DIR');
  return tools;
}

/** The server's major version (15, 17…). */
export async function serverMajor(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ v: string }[]>`select current_setting('server_version_num') as v`;
    return Math.floor(Number(row!.v) / 10_000);
  } finally {
    await sql.end();
  }
}

async function spawnTool(command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`${path.basename(command)} failed (exit ${code}): ${stderr.trim()}`);
}

/**
 * A whole-database backup in pg_dump's custom format (compressed; pg_restore can restore all of it or parts),
 * without owners or grants (restorable by another role). pg_dump must be at least the server's version.
 */
export async function backupDatabase(opts: { url: string; file: string; tools: PgTools }): Promise<{ file: string; serverMajor: number }> {
  const server = await serverMajor(opts.url);
  if (opts.tools.major < server) {
    throw new BackupRefusal(
      `pg_dump ${opts.tools.major} (from ${opts.tools.from}) cannot back up PostgreSQL ${server}: install PostgreSQL ${server}'s client programs and set PG_BIN_DIR to their directory`,
    );
  }
  await spawnTool(opts.tools.pgDump, ['--format=custom', '--no-owner', '--no-privileges', `--file=${opts.file}`, `--dbname=${opts.url}`]);
  return { file: opts.file, serverMajor: server };
}

/** What a custom-format archive says about itself (pg_restore --list's header), and the schemas it holds. */
export async function archiveInfo(file: string, tools: PgTools): Promise<{ dumpedFrom: number; dumpedBy: number; schemas: string[] }> {
  let listing: string;
  try {
    listing = (await run(tools.pgRestore, ['--list', file], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    throw new BackupRefusal(`${file} is not a backup pg_restore ${tools.major} can read: ${((error as { stderr?: string }).stderr ?? (error as Error).message).trim()}`);
  }
  const from = /Dumped from database version:\s*(\S+)/.exec(listing);
  const by = /Dumped by pg_dump version:\s*(\S+)/.exec(listing);
  if (!from || !by) throw new BackupRefusal(`${file} does not say which PostgreSQL made it`);
  // "123; 2615 16385 SCHEMA - drizzle postgres"
  const schemas = [...listing.matchAll(/^\d+;\s+\d+\s+\d+\s+SCHEMA\s+-\s+(\S+)/gm)].map((m) => m[1]!);
  return { dumpedFrom: majorOf(from[1]!), dumpedBy: majorOf(by[1]!), schemas: ['public', ...schemas.filter((name) => name !== 'public')] };
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Replaces the database's contents with a backup's, in one transaction: the schemas the backup holds (public and
 * drizzle's) are dropped and made again from it, so the database is the backup's exactly — no table a later
 * migration added is left behind — and a failure leaves the database as it was. The app and workers must be
 * stopped first. pg_restore must be at least the version of the pg_dump that made the backup, and the server at
 * least the version it was taken from.
 */
export async function restoreDatabase(opts: { url: string; file: string; tools: PgTools }): Promise<{ dumpedFrom: number; serverMajor: number }> {
  if (!existsSync(opts.file)) throw new BackupRefusal(`No backup at ${opts.file}`);
  const info = await archiveInfo(opts.file, opts.tools);
  if (opts.tools.major < info.dumpedBy) {
    throw new BackupRefusal(`The backup was made by pg_dump ${info.dumpedBy}; pg_restore ${opts.tools.major} (from ${opts.tools.from}) cannot read it: set PG_BIN_DIR to PostgreSQL ${info.dumpedBy}'s client programs`);
  }
  const server = await serverMajor(opts.url);
  if (server < info.dumpedFrom) {
    throw new BackupRefusal(`The backup is of PostgreSQL ${info.dumpedFrom}; this server is PostgreSQL ${server}: restore it into a server of version ${info.dumpedFrom} or later`);
  }
  // pg_restore writes the backup as SQL; psql runs it after the drops, all in one transaction, stopping at the
  // first error (ON_ERROR_STOP: then nothing of it stays).
  const restore = spawn(opts.tools.pgRestore, ['--no-owner', '--no-privileges', '--disable-triggers', '--file=-', opts.file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const psql = spawn(opts.tools.psql, ['--quiet', '--no-psqlrc', '--single-transaction', '--set=ON_ERROR_STOP=1', `--dbname=${opts.url}`, '--file=-'], { stdio: ['pipe', 'ignore', 'pipe'] });
  const stderrOf = (child: { stderr: NodeJS.ReadableStream | null }) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => (text = (text + chunk.toString('utf8')).slice(-4000)));
    return () => text.trim();
  };
  const restoreErr = stderrOf(restore);
  const psqlErr = stderrOf(psql);
  const exit = (child: ChildProcess) =>
    new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
  const exits = Promise.all([exit(restore), exit(psql)]);
  psql.stdin.on('error', () => {}); // psql stopped at an error: its exit code says so
  psql.stdin.write(`SET client_min_messages = warning;\n${info.schemas.map((name) => `DROP SCHEMA IF EXISTS ${quoteIdent(name)} CASCADE;`).join('\n')}\nCREATE SCHEMA public;\n`);
  restore.stdout.pipe(psql.stdin, { end: false });
  // psql commits when its input ends: it ends only after the whole backup was written; a pg_restore that failed
  // part way kills psql instead, and the server rolls its transaction back.
  restore.once('close', (code) => (code === 0 ? psql.stdin.end() : psql.kill('SIGKILL')));
  // psql stopped first (an error, ON_ERROR_STOP): pg_restore would block on a full pipe nobody reads.
  psql.once('close', (code) => {
    if (code !== 0 && restore.exitCode === null) restore.kill('SIGKILL');
  });
  const [restoreCode, psqlCode] = await exits;
  if (psqlCode !== 0 && psqlErr()) throw new Error(`The restore failed, nothing was changed (psql exit ${psqlCode}): ${psqlErr()}`);
  if (restoreCode !== 0) throw new Error(`pg_restore failed (exit ${restoreCode}), nothing was changed: ${restoreErr()}`);
  if (psqlCode !== 0) throw new Error(`The restore failed, nothing was changed (psql exit ${psqlCode})`);
  return { dumpedFrom: info.dumpedFrom, serverMajor: server };
}
