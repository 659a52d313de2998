import type { Metadata } from 'next';
import { ProcessOperator } from '~/components/operator/process-operator';

export const metadata: Metadata = { title: 'Processo · Operador da plataforma' };

export default function OperatorProcessPage() {
  return <ProcessOperator />;
}
