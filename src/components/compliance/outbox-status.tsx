'use client';

import { Notice } from '../ui/feedback';
import type { ComplianceOutbox } from './use-compliance-outbox';

const stopped: Record<string, string> = {
  offline: 'Sem conexão: os envios continuam guardados neste tablet e saem sozinhos quando a conexão voltar.',
  login_needed: 'Sua sessão expirou: entre de novo para enviar o que está guardado neste tablet.',
  server_busy: 'O servidor não respondeu agora; o envio será tentado de novo em instantes.',
};

/** What waits on this tablet to reach the server, and why it has not yet. */
export function OutboxStatus({ outbox, taskId }: { outbox: ComplianceOutbox; taskId?: string }) {
  const mine = <T extends { taskId: string }>(rows: T[]) => (taskId ? rows.filter((r) => r.taskId === taskId) : rows);
  const photos = mine(outbox.photos).filter((p) => p.status === 'pending').length;
  const sendings = mine(outbox.submissions).filter((s) => s.status === 'pending').length;
  const refused = [...mine(outbox.photos), ...mine(outbox.submissions)].filter((r) => r.status === 'rejected');
  if (photos + sendings + refused.length === 0) return null;
  return (
    <div data-testid="compliance-outbox" role="status">
      {photos + sendings > 0 ? (
        <Notice tone="warning">
          Guardado neste tablet, aguardando envio: {photos > 0 ? `${photos} foto(s)` : ''}
          {photos > 0 && sendings > 0 ? ' e ' : ''}
          {sendings > 0 ? `${sendings} tarefa(s) para enviar` : ''}.{' '}
          {outbox.syncing ? 'Enviando…' : outbox.last?.stopped ? stopped[outbox.last.stopped] : ''}
        </Notice>
      ) : null}
      {refused.map((r) => (
        <Notice key={r.id} tone="warning">
          O servidor recusou {'blob' in r ? 'uma foto' : 'um envio'}: {r.message}{' '}
          <button type="button" className="btn btn-secondary" onClick={() => void outbox.discard(r)}>
            Descartar
          </button>
        </Notice>
      ))}
    </div>
  );
}
