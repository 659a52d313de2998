'use client';

import { useSession } from '../session';

/**
 * Stores the signed-in person may create requests for: their own stores (auth.me's `stores` lists every active
 * store for managers and admins, but the server accepts requests only from members, admins excepted).
 */
export function useRequesterStores() {
  const { user, stores } = useSession();
  if (user.role === 'admin') return stores;
  return stores.filter((s) => user.storeIds.includes(s.id));
}

/** Stores the signed-in person may look at (every active store for managers and admins). */
export function useVisibleStores() {
  return useSession().stores;
}
