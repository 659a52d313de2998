import type { Metadata } from 'next';
import { DeadLettersOperator } from '~/components/operator/dead-letters-operator';

export const metadata: Metadata = { title: 'Fila de erros do sistema · Operador da plataforma' };

export default function OperatorDeadLettersPage() {
  return <DeadLettersOperator />;
}
