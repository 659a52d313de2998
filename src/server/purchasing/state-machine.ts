import { AppError } from '../errors';
import type { purchaseRequestStatuses } from '../db/schema';

export type RequestStatus = (typeof purchaseRequestStatuses)[number];
export type RequestAction = 'submit' | 'complete' | 'close';

/**
 * Every allowed move of a purchase request, in one place. `complete` happens by itself when the last
 * item is decided; its target depends on the decisions.
 */
export const requestTransitions: Record<RequestStatus, Partial<Record<RequestAction, readonly RequestStatus[]>>> = {
  draft: { submit: ['pending'], close: ['closed'] },
  pending: { complete: ['approved', 'partially_approved', 'rejected'], close: ['closed'] },
  approved: { close: ['closed'] },
  partially_approved: { close: ['closed'] },
  rejected: { close: ['closed'] },
  closed: {},
};

export function canMove(from: RequestStatus, action: RequestAction, to?: RequestStatus): boolean {
  const targets = requestTransitions[from][action];
  return Boolean(targets && (to === undefined || targets.includes(to)));
}

/** A forbidden move is a CONFLICT that names the current state. */
export function assertMove(from: RequestStatus, action: RequestAction, to?: RequestStatus): void {
  if (!canMove(from, action, to)) {
    throw new AppError('CONFLICT', 'transition_not_allowed', `Cannot ${action} a purchase request that is ${from}`, { status: from, action });
  }
}

/** The outcome once every item is decided. */
export function completedStatus(approved: number, rejected: number): 'approved' | 'partially_approved' | 'rejected' {
  if (rejected === 0) return 'approved';
  if (approved === 0) return 'rejected';
  return 'partially_approved';
}

/** Items can be decided only while their request is pending. */
export function assertItemDecidable(requestStatus: RequestStatus, itemStatus: 'pending' | 'approved' | 'rejected'): void {
  if (requestStatus !== 'pending') throw new AppError('CONFLICT', 'request_not_pending', `Cannot decide an item of a purchase request that is ${requestStatus}`, { status: requestStatus });
  if (itemStatus !== 'pending') throw new AppError('CONFLICT', 'item_already_decided', `This item was already ${itemStatus}`, { status: itemStatus });
}
