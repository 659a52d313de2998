'use client';

import { useState, type ReactNode } from 'react';
import { ErrorAlert } from './feedback';
import { ConfirmDialog } from './modal';

type MutationState = { isPending: boolean; error: { message: string; data?: unknown } | null; reset: () => void };

export type Confirmation<T> = { target: T | null; mutation: MutationState; ask: (item: T) => void; close: () => void };

/**
 * The row a destructive action waits on. Asking clears the last notice (`onAsk`) and the mutation's last error,
 * so the dialog opens clean; the mutation's onSuccess calls `close` (so annotate the variable with
 * `Confirmation<T>`: the two refer to each other).
 */
export function useConfirmation<T>(mutation: MutationState, onAsk?: () => void): Confirmation<T> {
  const [target, setTarget] = useState<T | null>(null);
  return {
    target,
    mutation,
    ask: (item: T) => {
      onAsk?.();
      mutation.reset();
      setTarget(item);
    },
    close: () => setTarget(null),
  };
}

type ConfirmMutationDialogProps<T> = {
  confirmation: Confirmation<T>;
  title: string;
  confirmLabel: string;
  pendingLabel: string;
  onConfirm: (target: T) => void;
  /** What will happen to this row, in words. */
  children: (target: T) => ReactNode;
};

/** Confirm, then mutate: the dialog shows the mutation's progress and its error, and stays open on failure. */
export function ConfirmMutationDialog<T>({ confirmation, title, confirmLabel, pendingLabel, onConfirm, children }: ConfirmMutationDialogProps<T>) {
  const { target, mutation, close } = confirmation;
  return (
    <ConfirmDialog
      open={target !== null}
      title={title}
      confirmLabel={confirmLabel}
      pendingLabel={pendingLabel}
      pending={mutation.isPending}
      onCancel={close}
      onConfirm={() => target !== null && onConfirm(target)}
      error={mutation.error ? <ErrorAlert error={mutation.error} /> : null}
    >
      {target !== null ? children(target) : null}
    </ConfirmDialog>
  );
}
