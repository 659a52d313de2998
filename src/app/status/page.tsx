import type { Metadata } from 'next';
import { StatusPage } from '~/components/status/status-page';

export const metadata: Metadata = { title: 'Estado do sistema' };

/** Public: what a store manager opens when the app feels slow. No sign-in, no internals. */
export default function PublicStatusPage() {
  return <StatusPage />;
}
