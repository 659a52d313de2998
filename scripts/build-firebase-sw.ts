/**
 * Bundles the Firebase messaging service worker (src/lib/browser/firebase-messaging-sw.ts, with the SDK's
 * `firebase/messaging/sw`) into public/firebase-messaging-sw.js. Runs before `next build`: Next serves only the
 * files public/ held when it built.
 */
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const firebaseSwOutfile = path.join(root, 'public', 'firebase-messaging-sw.js');

await build({
  entryPoints: [path.join(root, 'src', 'lib', 'browser', 'firebase-messaging-sw.ts')],
  outfile: firebaseSwOutfile,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
process.stderr.write(`built ${path.relative(root, firebaseSwOutfile)}\n`);
