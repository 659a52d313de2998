'use client';

import { api } from '~/lib/trpc/react';
import { DeadLetters } from '../admin/dead-letters-admin';

/** The system's dead letters (jobs of no organization), the platform operator's to retry and resolve. */
export function DeadLettersOperator() {
  const utils = api.useUtils();
  return (
    <DeadLetters
      procedures={api.operator.dlq}
      invalidate={() => utils.operator.dlq.list.invalidate()}
      title="Tarefas com erro do sistema"
      description="Tarefas de nenhuma rede (sem organização) que falharam em todas as tentativas. As falhas de cada rede ficam com os administradores dela."
      unknownName="Operador da plataforma"
    />
  );
}
