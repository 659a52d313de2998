import type { Metadata } from 'next';
import { DeadLettersOperator } from '~/components/operator/dead-letters-operator';

export const metadata: Metadata = { title: 'Tarefas com erro do sistema · Operador da plataforma' };

export default function OperatorDeadLettersPage() {
  return <DeadLettersOperator />;
}
