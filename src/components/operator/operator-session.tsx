'use client';

import { createContext, useContext } from 'react';
import type { RouterOutputs } from '~/lib/trpc/react';

export type OperatorMe = RouterOutputs['operator']['me'];

const OperatorContext = createContext<OperatorMe | null>(null);

export const OperatorSessionProvider = OperatorContext.Provider;

/** The signed-in platform operator; only inside the operator's area (src/app/operator/layout.tsx). */
export function useOperator(): OperatorMe {
  const me = useContext(OperatorContext);
  if (!me) throw new Error('useOperator must be used inside the operator area (src/app/operator/layout.tsx)');
  return me;
}
