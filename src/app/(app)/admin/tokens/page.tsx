import type { Metadata } from 'next';
import { TokensAdmin } from '~/components/admin/tokens-admin';

export const metadata: Metadata = { title: 'Tokens de API' };

export default function AdminTokensPage() {
  return <TokensAdmin />;
}
