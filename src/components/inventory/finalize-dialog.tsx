'use client';

import { useEffect, useId, useState, type ReactNode } from 'react';
import { brl } from '~/lib/money';
import { Modal } from '../ui/modal';

/** Lines nobody counted that expect stock, and that stock's value: what finalize must not zero silently. */
export type UncountedFigures = { lines: number; value: number };

export type FinalizeChoice = { uncounted?: 'kept' | 'zeroed'; confirmUncountedLines?: number };

type Choice = 'recount' | 'kept' | 'zeroed';

type FinalizeDialogProps = {
  open: boolean;
  /** Finalizing past tablets that still hold scans. */
  force: boolean;
  uncounted: UncountedFigures | null;
  pending: boolean;
  error?: ReactNode;
  onCancel: () => void;
  onFinalize: (choice: FinalizeChoice) => void;
  /** Ask the tablets to count the uncounted lines instead of finalizing now. */
  onRecount: () => void;
};

/**
 * The finalize confirmation. When lines were never counted, it says how many and what their expected stock is
 * worth, and the manager chooses: have them counted, keep their expected quantity, or set them to zero (only after
 * typing their number back). No choice is preselected, so Enter never zeroes anything.
 */
export function FinalizeDialog({ open, force, uncounted, pending, error, onCancel, onFinalize, onRecount }: FinalizeDialogProps) {
  const [choice, setChoice] = useState<Choice | null>(null);
  const [typed, setTyped] = useState('');
  const name = useId();
  const lines = uncounted?.lines ?? 0;
  useEffect(() => {
    if (open) setChoice(null);
  }, [open]);
  // New figures (the server saw more or fewer uncounted lines): the number typed back no longer applies.
  useEffect(() => setTyped(''), [open, lines]);

  const needsChoice = lines > 0;
  const typedBack = typed.trim() !== '' && Number(typed.trim()) === lines;
  const ready = !needsChoice || choice === 'recount' || choice === 'kept' || (choice === 'zeroed' && typedBack);
  const label = !needsChoice
    ? force
      ? 'Forçar finalização'
      : 'Finalizar'
    : choice === 'recount'
      ? 'Pedir a contagem'
      : choice === 'zeroed'
        ? `Finalizar e zerar ${lines === 1 ? '1 produto' : `${lines} produtos`}`
        : 'Finalizar mantendo o esperado';
  const confirm = () => {
    if (!ready) return;
    if (choice === 'recount') onRecount();
    else if (choice === 'kept') onFinalize({ uncounted: 'kept' });
    else if (choice === 'zeroed') onFinalize({ uncounted: 'zeroed', confirmUncountedLines: lines });
    else onFinalize({});
  };

  return (
    <Modal open={open} title={force ? 'Forçar a finalização?' : 'Finalizar o inventário?'} onClose={onCancel} busy={pending} role="alertdialog">
      <div className="confirm-text">
        {force ? <p>As leituras que ainda estão nos tablets ficarão de fora.</p> : null}
        <p>O estoque da loja passa a ser o que foi contado. Esta ação não pode ser desfeita.</p>
      </div>
      {needsChoice ? (
        <fieldset className="field" data-testid="uncounted-choice">
          <legend className="field-label">
            {lines === 1 ? '1 produto nunca foi contado' : `${lines} produtos nunca foram contados`} e {lines === 1 ? 'tem' : 'têm'} estoque esperado de{' '}
            <strong>{brl(uncounted!.value)}</strong>. O que fazer com {lines === 1 ? 'ele' : 'eles'}?
          </legend>
          <label className="checkbox-field">
            <input type="radio" className="checkbox" name={name} checked={choice === 'recount'} onChange={() => setChoice('recount')} />
            <span>
              Contar agora: pedir a contagem aos tablets (o inventário continua aberto)
            </span>
          </label>
          <label className="checkbox-field">
            <input type="radio" className="checkbox" name={name} checked={choice === 'kept'} onChange={() => setChoice('kept')} />
            <span>Manter a quantidade esperada: o estoque {lines === 1 ? 'dele' : 'deles'} não muda</span>
          </label>
          <label className="checkbox-field">
            <input type="radio" className="checkbox" name={name} checked={choice === 'zeroed'} onChange={() => setChoice('zeroed')} />
            <span>Zerar o estoque {lines === 1 ? 'dele' : 'deles'} ({brl(-uncounted!.value)} de divergência)</span>
          </label>
          {choice === 'zeroed' ? (
            <label className="field">
              <span className="field-label">
                Digite {lines} para confirmar que {lines === 1 ? '1 produto ficará' : `${lines} produtos ficarão`} com estoque zero
              </span>
              <input className="input" inputMode="numeric" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} data-autofocus />
            </label>
          ) : null}
        </fieldset>
      ) : null}
      {error}
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={pending} data-autofocus={needsChoice ? undefined : true}>
          Voltar
        </button>
        <button type="button" className={choice === 'recount' ? 'btn btn-primary' : 'btn btn-danger'} onClick={confirm} disabled={pending || !ready}>
          {pending ? (choice === 'recount' ? 'Pedindo…' : 'Finalizando…') : label}
        </button>
      </div>
    </Modal>
  );
}
