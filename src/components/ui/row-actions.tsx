'use client';

import type { ReactNode } from 'react';

/** The row's buttons, last cell of the row; on a tablet card they wrap under the fields. */
export function RowActions({ children }: { children: ReactNode }) {
  return (
    <td role="cell" className="row-actions">
      <div className="row-actions-list">{children}</div>
    </td>
  );
}

type RowActionProps = {
  /** The button's text; with `subject` it also names the button ("Editar Loja Centro"), so rows are told apart. */
  label: string;
  subject: string;
  onClick: () => void;
  danger?: boolean;
  disabled?: boolean;
};

export function RowAction({ label, subject, onClick, danger, disabled }: RowActionProps) {
  return (
    <button
      type="button"
      className={`btn ${danger ? 'btn-danger-outline' : 'btn-secondary'} btn-small`}
      aria-label={`${label} ${subject}`}
      disabled={disabled}
      onClick={onClick}
    >
      {label}
    </button>
  );
}

type EditAndActiveActionsProps = {
  subject: string;
  active: boolean;
  onEdit: () => void;
  onDeactivate: () => void;
  onReactivate: () => void;
  reactivating: boolean;
  /** False where the row may only be edited (one's own user). */
  switchable?: boolean;
  /** More of the row's actions, between Editar and Desativar. */
  children?: ReactNode;
};

/** Editar, then Desativar (which asks first) or Reativar (which does not: nothing is lost by it). */
export function EditAndActiveActions({ subject, active, onEdit, onDeactivate, onReactivate, reactivating, switchable = true, children }: EditAndActiveActionsProps) {
  return (
    <RowActions>
      <RowAction label="Editar" subject={subject} onClick={onEdit} />
      {children}
      {!switchable ? null : active ? (
        <RowAction label="Desativar" subject={subject} danger onClick={onDeactivate} />
      ) : (
        <RowAction label="Reativar" subject={subject} disabled={reactivating} onClick={onReactivate} />
      )}
    </RowActions>
  );
}
