import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
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
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: '#0b5d3b',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="pt-BR">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
