'use client';

import { useEffect, useId, useRef, type ReactNode } from 'react';

type ModalProps = {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Keeps Esc from closing while a request is in flight. */
  busy?: boolean;
  role?: 'dialog' | 'alertdialog';
};

/** Native <dialog> as a modal: focus is trapped and restored by the browser, Esc closes it. */
export function Modal({ open, title, onClose, children, busy, role }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // showModal() focuses the first focusable element (the close button); start where the work is instead.
      dialog.querySelector<HTMLElement>('[data-autofocus], .modal-body form input:not([disabled]), .modal-body form select:not([disabled])')?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={titleId}
      role={role}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      {open ? (
        <div className="modal-body">
          <div className="modal-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} disabled={busy} aria-label="Fechar">
              <span aria-hidden="true">×</span>
            </button>
          </div>
          {children}
        </div>
      ) : null}
    </dialog>
  );
}

type ConfirmDialogProps = {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pendingLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
  pending?: boolean;
  error?: ReactNode;
};

/** Asks before a destructive action; Cancel comes first so Enter on open does not destroy anything. */
export function ConfirmDialog({ open, title, children, confirmLabel, pendingLabel, onConfirm, onCancel, pending, error }: ConfirmDialogProps) {
  return (
    <Modal open={open} title={title} onClose={onCancel} busy={pending} role="alertdialog">
      <div className="confirm-text">{children}</div>
      {error}
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={pending} data-autofocus>
          Cancelar
        </button>
        <button type="button" className="btn btn-danger" onClick={onConfirm} disabled={pending}>
          {pending ? (pendingLabel ?? 'Aguarde…') : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
