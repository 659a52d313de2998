/**
 * Playwright's web server: a fresh `mi_e2e` database on the local PostgreSQL, then the production server
 * (`src/server/main.ts`, which migrates and seeds the demo organization) on 127.0.0.1:3100.
 * Redis is shared with other test runs, so every key goes under a random prefix that is removed on exit.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServiceWorker, serviceWorkerIsStale } from '../scripts/build-sw';
import { startOpenAIStandIn } from '../tests/helpers/openai-standin';
import { startOpenFoodFactsStandIn } from '../tests/helpers/openfoodfacts-standin';
import { removeKeysUnder } from '../tests/helpers/redis-keys';
import { writeServiceAccountKey } from '../tests/helpers/service-account';
import { startVisionStandIn } from '../tests/helpers/vision-standin';
import { EXPECTED_PRICE, jpegWidth, VISION_WIDTHS } from './fixtures/compliance';
import { LOW_SCORE_MARK, offPhotoEans, offPrefillEans } from './fixtures/photos';

const ADMIN_URL = process.env.E2E_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379';
// E2E_PORT / E2E_DATABASE let two checkouts run their e2e suites side by side on one machine.
const DATABASE = process.env.E2E_DATABASE ?? 'mi_e2e';
const PORT = Number(process.env.E2E_PORT ?? 3100);
const KEY_PREFIX = `mi-e2e-${randomBytes(4).toString('hex')}:`;

function log(message: string) {
  process.stderr.write(`[e2e server] ${message}\n`);
}

async function recreateDatabase(): Promise<string> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
    await admin.unsafe(`create database ${DATABASE}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

/** Deletes only this run's keys (never FLUSHDB: the Redis server is shared). */
async function removeRedisKeys(): Promise<void> {
  try {
    log(`removed ${await removeKeysUnder(REDIS_URL, KEY_PREFIX)} Redis keys under ${KEY_PREFIX}`);
  } catch (error) {
    log(`could not clean Redis keys under ${KEY_PREFIX}: ${(error as Error).message}`);
  }
}

async function main() {
  if (!existsSync('.next/BUILD_ID')) {
    log('no production build in .next: run `npx next build` first');
    process.exit(1);
  }
  // `npx next build` alone leaves the offline service worker missing or stale; it takes a second to build.
  if (serviceWorkerIsStale()) {
    await buildServiceWorker();
    log('service worker built: public/sw.js');
  }
  const databaseUrl = await recreateDatabase();
  log(`database ${DATABASE} recreated; Redis prefix ${KEY_PREFIX}`);

  // The outside world of the image pipeline, as local stand-ins in this process (no test reaches the internet).
  const off = await startOpenFoodFactsStandIn();
  for (const ean of [...offPhotoEans, ...offPrefillEans]) off.addProduct(ean, { name: `Produto ${ean}`, brand: 'Marca OFF', categories: 'Mercearia', quantity: '1 kg' });
  const openai = await startOpenAIStandIn();
  openai.setVerdict((input) => (input.text.includes(LOW_SCORE_MARK) ? { score: 0.35, matches: false, reasons: ['A embalagem da foto parece ser de outro produto'] } : {}));
  // Google Vision for compliance photos: the answer is chosen by the photo's width (e2e/fixtures/compliance.ts).
  const visionAccount = writeServiceAccountKey({ name: 'e2e-vision' });
  const vision = await startVisionStandIn({ trust: { publicKey: visionAccount.publicKey, clientEmail: visionAccount.clientEmail } });
  vision.script((image) => {
    const width = image.bytes ? jpegWidth(image.bytes) : null;
    const shelf = [{ description: 'Shelf', score: 0.94 }, { description: 'Price tag', score: 0.8 }];
    if (width === VISION_WIDTHS.unavailable) return { error: { code: 14, message: 'The service is currently unavailable.' } };
    if (width === VISION_WIDTHS.wrongPrice) return { labels: shelf, text: 'Achocolatado 400g\nOFERTA R$ 12,49' };
    return { labels: shelf, text: `Achocolatado 400g\nOFERTA ${EXPECTED_PRICE}` };
  });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mi-e2e-data-'));

  // tsx directly, not through `npx`: npm exec exits on SIGTERM without waiting, which orphaned the server.
  const child = spawn('node_modules/.bin/tsx', ['src/server/main.ts'], {
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: KEY_PREFIX,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      DEMO_SEED: 'true',
      // Every test signs in; the real limits (5 logins a minute) would throttle the suite, not protect it.
      RATE_LIMIT_LOGIN_PER_MINUTE: '100',
      RATE_LIMIT_ANON_PER_MINUTE: '2000',
      RATE_LIMIT_USER_PER_MINUTE: '2000',
      // The whole system, as in production: the outbox relay and the queue workers run in the app process.
      WORKERS_IN_PROCESS: 'true',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      DATA_DIR: dataDir,
      OPENFOODFACTS_URL: off.url,
      OPENFOODFACTS_MAX_PER_MINUTE: '0',
      IMAGE_ALLOWED_HOSTS: new URL(off.url).host,
      OPENAI_API_KEY: 'e2e-stand-in',
      OPENAI_BASE_URL: `${openai.url}/v1`,
      GOOGLE_APPLICATION_CREDENTIALS: visionAccount.path,
      VISION_API_ENDPOINT: vision.url,
      // One try: the "Vision unavailable" photo falls back to a person at once instead of opening the breaker for the others.
      VISION_RETRIES: '0',
      VISION_BREAKER_MIN_CALLS: '20',
    },
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }

  child.on('exit', (code, signal) => {
    rmSync(dataDir, { recursive: true, force: true });
    visionAccount.remove();
    void removeRedisKeys().finally(() => process.exit(code ?? (signal ? 0 : 1)));
  });
}

main().catch((error: unknown) => {
  log(`failed to start: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
