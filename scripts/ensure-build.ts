import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { buildServiceWorker, SERVICE_WORKER_FILES, serviceWorkerIsStale } from './build-sw';

/**
 * `npm start`'s first step (scripts/start.ts): builds the Next.js app and then the service worker when there is no
 * build yet or a source file is newer than it (first `npm start`, or after a pull); only the service worker when
 * just it is missing or stale.
 */
const INPUTS = ['src', 'public', 'next.config.ts', 'package-lock.json', 'tsconfig.json'];

function newestMtime(root: string, entry: string, skipped: Set<string>): number {
  if (!existsSync(entry) || skipped.has(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  // public/'s own mtime moves when the worker is first written there; Next serves public/ from disk, so a file
  // removed from it needs no rebuild (an added or edited one still counts by its own mtime).
  let newest = entry === path.join(root, 'public') ? 0 : stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(root, path.join(entry, name), skipped));
  return newest;
}

/** 'missing' before the first build, 'stale' when a source changed since, null when `.next` is current. */
export function appBuildState(root = process.cwd()): 'missing' | 'stale' | null {
  // The service worker is written into public/ after BUILD_ID, from src/sw alone: serviceWorkerIsStale watches both.
  const skipped = new Set([...SERVICE_WORKER_FILES, 'src/sw'].map((f) => path.join(root, f)));
  const buildId = path.join(root, '.next', 'BUILD_ID');
  // Built into public/ before Next builds (Next serves only what public/ held then); see scripts/build-firebase-sw.ts.
  const firebaseSw = path.join(root, 'public', 'firebase-messaging-sw.js');
  const builtAt = existsSync(buildId) && existsSync(firebaseSw) ? statSync(buildId).mtimeMs : 0;
  if (!builtAt) return 'missing';
  return builtAt < Math.max(...INPUTS.map((i) => newestMtime(root, path.join(root, i), skipped))) ? 'stale' : null;
}

export async function ensureBuild(root = process.cwd()): Promise<void> {
  const state = appBuildState(root);
  if (state) {
    process.stderr.write(state === 'stale' ? 'Sources changed since the last build; rebuilding…\n' : 'First start: building the app (a minute or two)…\n');
    await run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'build-firebase-sw.ts')], root);
    await run(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], root);
  }
  if (serviceWorkerIsStale(root)) {
    process.stderr.write('Building the offline service worker…\n');
    await buildServiceWorker(root);
  }
}

/**
 * One build step as a child process (node directly, not `npx`: npm exec exits on SIGTERM without waiting for its
 * child). A signal meant for `npm start` is passed on to the step; once it has exited, this process ends by the same
 * signal, and a failed step ends it with the step's exit code.
 */
async function run(command: string, args: string[], cwd: string): Promise<void> {
  const child = spawn(command, args, { cwd, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  let received: NodeJS.Signals | null = null;
  const forward = (signal: NodeJS.Signals) => {
    received = signal;
    child.kill(signal);
  };
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, forward);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
  }).finally(() => {
    for (const s of signals) process.removeListener(s, forward);
  });
  const stoppedBy = received ?? signal;
  if (stoppedBy) {
    process.kill(process.pid, stoppedBy);
    process.exit(128 + constants.signals[stoppedBy]);
  }
  if (code !== 0) process.exit(code ?? 1);
}
