import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildServiceWorker, SERVICE_WORKER_FILES, serviceWorkerIsStale } from './build-sw';

/**
 * Builds the Next.js app and then the service worker when there is no build yet or a source file is newer than
 * it (first `npm start`, or after a pull); only the service worker when just it is missing or stale.
 */
const root = process.cwd();
const buildId = path.join(root, '.next', 'BUILD_ID');
const inputs = ['src', 'public', 'next.config.ts', 'package-lock.json', 'tsconfig.json'];
// The service worker is written into public/ after BUILD_ID, from src/sw alone: serviceWorkerIsStale watches both.
const skipped = new Set([...SERVICE_WORKER_FILES, 'src/sw'].map((f) => path.join(root, f)));

function newestMtime(entry: string): number {
  if (!existsSync(entry) || skipped.has(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  // public/'s own mtime moves when the worker is first written there; Next serves public/ from disk, so a file
  // removed from it needs no rebuild (an added or edited one still counts by its own mtime).
  let newest = entry === path.join(root, 'public') ? 0 : stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

// Built into public/ before Next builds (Next serves only what public/ held then); see scripts/build-firebase-sw.ts.
const firebaseSw = path.join(root, 'public', 'firebase-messaging-sw.js');
const builtAt = existsSync(buildId) && existsSync(firebaseSw) ? statSync(buildId).mtimeMs : 0;
const sourcesAt = Math.max(...inputs.map((i) => newestMtime(path.join(root, i))));
if (builtAt < sourcesAt) {
  process.stderr.write(builtAt ? 'Sources changed since the last build; rebuilding…\n' : 'First start: building the app (a minute or two)…\n');
  for (const [command, args] of [
    ['npx', ['tsx', 'scripts/build-firebase-sw.ts']],
    ['npx', ['next', 'build']],
  ] as const) {
    const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}
if (serviceWorkerIsStale(root)) {
  process.stderr.write('Building the offline service worker…\n');
  await buildServiceWorker(root);
}
