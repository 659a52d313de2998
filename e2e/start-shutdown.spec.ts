/**
 * `npm start`'s own process (embedded PostgreSQL, no Redis, workers in process), outside Playwright's web server:
 * it comes up on a fresh data directory and a SIGTERM shuts it down gracefully — requests and jobs drained,
 * PostgreSQL stopped last, no server left behind. No browser needed; it runs once (desktop project).
 */
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

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
    const log = output.join('');
    expect(log).toContain(`The embedded PostgreSQL cannot use ${path.join(dataDir, 'pg')}: permission denied`);
    expect(log).toContain('chmod 755');
    expect(postgresProcessesOf(dataDir)).toEqual([]);
  } finally {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
