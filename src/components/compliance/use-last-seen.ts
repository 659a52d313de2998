'use client';

import { useEffect, useState } from 'react';
import superjson from 'superjson';

/**
 * A query's answer as last seen online, kept in localStorage under the user's id, so a compliance page opens
 * offline after a reload (the page itself comes from the service worker; a query batched with others is not kept
 * there). The live answer wins whenever there is one.
 */
export function useLastSeen<T>(key: string, live: T | undefined): T | undefined {
  const [kept, setKept] = useState<T | undefined>(undefined);
  useEffect(() => {
    const raw = localStorage.getItem(key);
    if (!raw) return;
    try {
      setKept(superjson.parse<T>(raw));
    } catch {
      localStorage.removeItem(key);
    }
  }, [key]);
  useEffect(() => {
    if (live === undefined) return;
    try {
      localStorage.setItem(key, superjson.stringify(live));
    } catch {
      // A full storage keeps the older copy; the page still works online.
    }
  }, [key, live]);
  return live ?? kept;
}

/** Sign-out: every kept answer goes (a shared tablet's next user must not find the last one's tasks). */
export function forgetLastSeen(prefix = 'compliance-') {
  for (const key of Object.keys(localStorage)) if (key.startsWith(prefix)) localStorage.removeItem(key);
}
