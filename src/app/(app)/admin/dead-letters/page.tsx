import type { Metadata } from 'next';
import { DeadLettersAdmin } from '~/components/admin/dead-letters-admin';

export const metadata: Metadata = { title: 'Tarefas com erro' };

export default function AdminDeadLettersPage() {
  return <DeadLettersAdmin />;
}
