'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { api } from '~/lib/trpc/react';
import { ErrorAlert } from '../ui/feedback';
import { TextAreaField } from '../ui/fields';
import { Modal } from '../ui/modal';

/** Cancels an open count, with the reason the manager gives; the store's stock stays as it is. */
export function CancelSessionDialog({ sessionId, open, onClose }: { sessionId: string; open: boolean; onClose: () => void }) {
  const utils = api.useUtils();
  const [reason, setReason] = useState('');
  const [showError, setShowError] = useState(false);
  const cancel = api.inventory.cancel.useMutation({
    onSuccess: async () => {
      await utils.inventory.invalidate();
      onClose();
    },
  });
  useEffect(() => {
    if (open) {
      setReason('');
      setShowError(false);
      cancel.reset();
    }
    // Only when the dialog opens: the mutation object changes on every render.
  }, [open]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setShowError(true);
    if (!reason.trim()) return;
    cancel.mutate({ sessionId, reason: reason.trim() });
  };
  return (
    <Modal open={open} title="Cancelar o inventário?" onClose={onClose} busy={cancel.isPending} role="alertdialog">
      <form className="form" onSubmit={submit} aria-label="Cancelar o inventário">
        <p className="confirm-text">A contagem é encerrada sem mudar o estoque da loja. Os tablets deixam de aceitar leituras deste inventário.</p>
        <TextAreaField
          label="Motivo"
          required
          maxLength={500}
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          error={showError && !reason.trim() ? 'Informe o motivo do cancelamento' : undefined}
        />
        <ErrorAlert error={cancel.error} title="Não foi possível cancelar" />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={cancel.isPending}>
            Voltar
          </button>
          <button type="submit" className="btn btn-danger" disabled={cancel.isPending}>
            {cancel.isPending ? 'Cancelando…' : 'Cancelar inventário'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
