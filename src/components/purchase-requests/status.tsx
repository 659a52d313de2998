import { itemStatusLabels as sharedItemStatusLabels, requestStatusLabels as sharedRequestStatusLabels } from '~/lib/labels';
import type { RouterOutputs } from '~/lib/trpc/react';
import { formatQuantity } from '../ui/format';

export type RequestStatus = RouterOutputs['purchaseRequests']['list']['items'][number]['status'];
export type ItemStatus = RouterOutputs['purchaseRequests']['byId']['items'][number]['status'];

export const requestStatusLabels: Record<RequestStatus, string> = sharedRequestStatusLabels;

/** The order people read a request's life in. */
export const requestStatuses = Object.keys(requestStatusLabels) as RequestStatus[];

const requestStatusTone: Record<RequestStatus, string> = {
  draft: 'badge-off',
  pending: 'badge-pending',
  partially_approved: 'badge-partial',
  approved: 'badge-ok',
  rejected: 'badge-rejected',
  closed: 'badge-off',
};

export const itemStatusLabels: Record<ItemStatus, string> = sharedItemStatusLabels;

const itemStatusTone: Record<ItemStatus, string> = { pending: 'badge-pending', approved: 'badge-ok', rejected: 'badge-rejected' };

/** Unknown statuses (a newer server) are shown by their code rather than breaking the page. */
export function RequestStatusBadge({ status }: { status: string }) {
  const known = status in requestStatusLabels ? (status as RequestStatus) : null;
  return <span className={`badge ${known ? requestStatusTone[known] : 'badge-off'}`}>{known ? requestStatusLabels[known] : status}</span>;
}

/**
 * A line approved for less than asked reads "Aprovado 1 de 4" in the partial tone, never as a plain green
 * "Aprovado" (the quantities come with the line where the caller has them).
 */
export function ItemStatusBadge({ status, quantity, approvedQuantity }: { status: string; quantity?: number; approvedQuantity?: number | null }) {
  const known = status in itemStatusLabels ? (status as ItemStatus) : null;
  if (known === 'approved' && quantity !== undefined && approvedQuantity != null && approvedQuantity < quantity) {
    return <span className="badge badge-partial">{`Aprovado ${formatQuantity(approvedQuantity)} de ${formatQuantity(quantity)}`}</span>;
  }
  return <span className={`badge ${known ? itemStatusTone[known] : 'badge-off'}`}>{known ? itemStatusLabels[known] : status}</span>;
}

/** How much of an approved item the store has received, under its approved quantity: "A receber", "Recebido em parte", "Recebido". */
export function ReceivedBadge({ approved, received, unit }: { approved: number; received: number; unit: string }) {
  if (received <= 0) return <span className="badge badge-pending block-badge">A receber</span>;
  if (received < approved) {
    return (
      <>
        <span className="badge badge-partial block-badge">Recebido em parte</span>
        <span className="muted block">{`${formatQuantity(received)} de ${formatQuantity(approved)} ${unit}`}</span>
      </>
    );
  }
  return <span className="badge badge-ok block-badge">Recebido</span>;
}
