import type { Metadata } from 'next';
import { AuditAdmin } from '~/components/admin/audit-admin';

export const metadata: Metadata = { title: 'Auditoria' };

export default function AdminAuditPage() {
  return <AuditAdmin />;
}
