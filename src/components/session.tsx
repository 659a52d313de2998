'use client';

import { createContext, useContext } from 'react';
import type { Me } from '~/lib/trpc/react';

const SessionContext = createContext<Me | null>(null);

export const SessionProvider = SessionContext.Provider;

/** The signed-in user, their org and role; only inside the authenticated area. */
export function useSession(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useSession must be used inside the authenticated area (src/app/(app)/layout.tsx)');
  return me;
}
