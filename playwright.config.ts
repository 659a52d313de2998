import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, devices } from '@playwright/test';

// E2E_PORT (with E2E_DATABASE, read by e2e/start-server.ts) lets two checkouts run e2e side by side.
const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${PORT}`;

/** Debian's Chromium (never `npx playwright install`); the flags keep it quiet and offline-friendly in CI. */
const launchOptions = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

/**
 * Video needs Playwright's own ffmpeg build (`npx playwright install ffmpeg`, which these machines do not run);
 * without it every test would fail at its first page, so video is kept on failure only where ffmpeg exists.
 */
function playwrightFfmpegInstalled(): boolean {
  const root = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  try {
    return readdirSync(root).some((dir) => dir.startsWith('ffmpeg-') && existsSync(join(root, dir, 'ffmpeg-linux')));
  } catch {
    return false;
  }
}

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  // One server and one database for the whole run: tests stay independent by using unique names, not by isolation.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL,
    locale: 'pt-BR',
    timezoneId: 'America/Sao_Paulo',
    trace: 'retain-on-failure',
    video: playwrightFfmpegInstalled() ? 'retain-on-failure' : 'off',
    screenshot: 'only-on-failure',
    launchOptions,
  },
  projects: [
    // The clerk's device: a tablet in portrait. The admin and operator screens, browser push registration and
    // printing (no layout of their own beyond the shared components the other specs cover here, and
    // tablet-layout.spec.ts measures every admin page on both tablets) run in the desktop project only: CI took
    // 21 min on a slow day with every spec in both.
    {
      name: 'tablet',
      use: { ...devices['Desktop Chrome'], viewport: { width: 768, height: 1024 }, hasTouch: true, launchOptions },
      testIgnore: ['**/admin-*.spec.ts', '**/operator-*.spec.ts', '**/cluster.spec.ts', '**/push-registration.spec.ts', '**/print-labels.spec.ts', '**/compliance-review.spec.ts'],
    },
    // The manager's and buyer's screen. Counting is done on tablets: its device-side specs (offline, camera, PWA,
    // expired login while counting) run in the tablet project only, which keeps CI under its time budget; so do the
    // exports (a download is the same file on any screen), and the layout measurements (tablet-layout sets the two
    // tablets' sizes itself).
    {
      name: 'desktop',
      use: { ...devices['Desktop Chrome'], viewport: { width: 1366, height: 900 }, launchOptions },
      testIgnore: ['**/app-offline.spec.ts', '**/local-https.spec.ts', '**/inventory-offline.spec.ts', '**/receiving-offline.spec.ts', '**/compliance-offline.spec.ts', '**/stock.spec.ts', '**/inventory-closed.spec.ts', '**/inventory-finalize.spec.ts', '**/inventory-camera.spec.ts', '**/inventory-pwa.spec.ts', '**/inventory-expired-login.spec.ts', '**/inventory-storage-error.spec.ts', '**/inventory-scanner.spec.ts', '**/exports.spec.ts', '**/tablet-layout.spec.ts'],
    },
  ],
  webServer: {
    // Needs a production build first: `npm run build` (npm test runs it before the e2e tests); e2e/start-server.ts
    // builds the service worker itself when only `npx next build` ran.
    command: 'npx tsx e2e/start-server.ts',
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
