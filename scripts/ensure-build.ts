import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Builds the Next.js app when there is no build yet or a source file is newer than it (first `npm start`, or after a pull). */
const root = process.cwd();
const buildId = path.join(root, '.next', 'BUILD_ID');
const inputs = ['src', 'public', 'next.config.ts', 'package-lock.json', 'tsconfig.json'];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
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
