'use client';

import { useState } from 'react';
import { Notice } from './feedback';

/**
 * The success line over a list and the list's refresh, together: whatever changed a row says so and reloads
 * the list. The next action clears the line first, so it never describes an older change.
 */
export function useListNotice(refresh: () => Promise<unknown>) {
  const [message, setMessage] = useState<string | null>(null);
  const clear = () => setMessage(null);
  return {
    message,
    clear,
    /** A click handler that clears the line, then acts. */
    clearThen: (action: () => void) => () => {
      clear();
      action();
    },
    announce: async (text: string) => {
      setMessage(text);
      await refresh();
    },
  };
}

export function ListNotice({ notice }: { notice: { message: string | null } }) {
  return notice.message ? <Notice tone="success">{notice.message}</Notice> : null;
}
