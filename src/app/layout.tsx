import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { env } from '~/env';
import { MONITORING_META, type BrowserMonitoring } from '~/lib/error-scrub';
import './globals.css';
import { Providers } from './providers';

/**
 * Rendered per request: every page carries the nonce of its response's Content-Security-Policy (set by our server,
 * read by Next from the request), which a page built ahead of time could not.
 */
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'MyInventory', template: '%s · MyInventory' },
  description: 'Inventário, solicitações de compra e conformidade para redes de supermercados.',
  applicationName: 'MyInventory',
  // Installable on the tablet's home screen (public/manifest.webmanifest; icons drawn by scripts/build-icons.ts).
  manifest: '/manifest.webmanifest',
  icons: { icon: [{ url: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' }], apple: [{ url: '/icons/apple-touch-icon.png', sizes: '180x180' }] },
  appleWebApp: { capable: true, title: 'MyInventory', statusBarStyle: 'default' },
  formatDetection: { telephone: false },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: '#0b5d3b',
};

/** The browser's error tracking, given at runtime (src/instrumentation-client.ts): the DSN is public by design. */
const monitoring: BrowserMonitoring | null = env.SENTRY_DSN
  ? { dsn: env.SENTRY_DSN, environment: env.SENTRY_ENVIRONMENT ?? env.NODE_ENV, release: env.SENTRY_RELEASE ?? env.APP_VERSION }
  : null;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="pt-BR">
      {monitoring && (
        <head>
          <meta name={MONITORING_META} content={JSON.stringify(monitoring)} />
        </head>
      )}
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
