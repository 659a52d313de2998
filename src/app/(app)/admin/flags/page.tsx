import type { Metadata } from 'next';
import { FlagsAdmin } from '~/components/admin/flags-admin';

export const metadata: Metadata = { title: 'Recursos' };

export default function AdminFlagsPage() {
  return <FlagsAdmin />;
}
