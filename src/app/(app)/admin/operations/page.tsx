import type { Metadata } from 'next';
import { QueuesAdmin } from '~/components/admin/queues-admin';

export const metadata: Metadata = { title: 'Filas' };

/** Not /admin/queues: the server hands that path to Bull Board before Next.js sees it. */
export default function AdminOperationsPage() {
  return <QueuesAdmin />;
}
