import type { Metadata } from 'next';
import { SystemAdmin } from '~/components/admin/system-admin';

export const metadata: Metadata = { title: 'Sistema' };

export default function AdminSystemPage() {
  return <SystemAdmin />;
}
