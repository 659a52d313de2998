import type { Metadata } from 'next';
import { StoresAdmin } from '~/components/admin/stores-admin';

export const metadata: Metadata = { title: 'Lojas' };

export default function AdminStoresPage() {
  return <StoresAdmin />;
}
