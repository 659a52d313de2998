import type { Metadata } from 'next';
import { QueuesOperator } from '~/components/operator/queues-operator';

export const metadata: Metadata = { title: 'Filas · Operador da plataforma' };

export default function OperatorQueuesPage() {
  return <QueuesOperator />;
}
