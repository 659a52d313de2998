/**
 * Builds the offline service worker (`npm run build` runs it after `next build`): esbuild bundles src/sw/sw.ts,
 * then Serwist's injectManifest writes the precache manifest of Next's client build (.next/static, served as
 * /_next/static/…) into it. Output: public/sw.js and its source map, generated and not committed.
 * The start paths (scripts/ensure-build.ts, e2e/start-server.ts, bench/offline.ts) rebuild it when it is stale.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const SERVICE_WORKER_FILES = ['public/sw.js', 'public/sw.js.map'];
const SOURCE_DIR = 'src/sw';
const ENTRY = 'src/sw/sw.ts';
/**
 * The bundle before injection; injectManifest reads it and writes public/sw.js. Named sw.js, one directory deep
 * like public/, so the source map keeps its name and its relative source paths when it moves there.
 */
const BUNDLE = '.next/sw.js';
/** Next 16's default browser targets: the worker runs where the app's own scripts run. */
const TARGET = ['chrome111', 'edge111', 'firefox111', 'safari16.4'];
/** Bigger files are left to the runtime cache instead of every tablet downloading them at install. */
const MAX_PRECACHE_FILE_BYTES = 2 * 1024 * 1024;

/** Precached from public/: the offline page and the icon it shows. */
const OFFLINE_FILES = ['offline.html', 'icons/icon-192.png'];
const revisionOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);

const mtime = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : 0);

/** True when public/sw.js is missing, or older than Next's build or than the worker's sources. */
export function serviceWorkerIsStale(root = process.cwd()): boolean {
  const builtAt = mtime(path.join(root, 'public/sw.js'));
  if (builtAt === 0) return true;
  const sources = readdirSync(path.join(root, SOURCE_DIR)).map((f) => mtime(path.join(root, SOURCE_DIR, f)));
  return builtAt < Math.max(mtime(path.join(root, '.next/BUILD_ID')), ...sources);
}

export async function buildServiceWorker(root = process.cwd()) {
  if (!existsSync(path.join(root, '.next/BUILD_ID'))) throw new Error('No Next.js build in .next: run `next build` before building the service worker');
  // Loaded here so that importing serviceWorkerIsStale stays cheap for the start scripts.
  const [{ build }, { injectManifest }] = await Promise.all([import('esbuild'), import('@serwist/build')]);
  await build({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    outfile: BUNDLE,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: TARGET,
    minify: true,
    sourcemap: true,
    // Serwist's development logging is dropped from the bundle.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const result = await injectManifest({
    swSrc: path.join(root, BUNDLE),
    swDest: path.join(root, 'public/sw.js'),
    globDirectory: path.join(root, '.next/static'),
    globPatterns: ['**/*.{js,css,woff,woff2,ttf,otf,png,jpg,jpeg,gif,svg,webp,avif,ico}'],
    globIgnores: ['**/*.map'],
    modifyURLPrefix: { '': '/_next/static/' },
    // Next's file names carry a content hash (or the build id): the URL is the revision.
    dontCacheBustURLsMatching: /^\/_next\/static\//,
    maximumFileSizeToCacheInBytes: MAX_PRECACHE_FILE_BYTES,
    // The page for "no connection and not kept", and what it shows, from public/ (tracked), by content.
    additionalPrecacheEntries: OFFLINE_FILES.map((file) => ({ url: `/${file}`, revision: revisionOf(path.join(root, 'public', file)) })),
  });
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { count, size, warnings } = await buildServiceWorker();
  for (const warning of warnings) process.stderr.write(`service worker: ${warning}\n`);
  process.stderr.write(`service worker: public/sw.js precaches ${count} files (${Math.round(size / 1024)} KiB)\n`);
}
