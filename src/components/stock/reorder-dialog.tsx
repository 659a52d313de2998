'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { api } from '~/lib/trpc/react';
import { ErrorAlert } from '../ui/feedback';
import { TextField } from '../ui/fields';
import { formatQuantity, parseDecimal } from '../ui/format';
import { Modal } from '../ui/modal';
import type { StockLevel } from './types';

/** A manager's minimum and reorder quantity of one product at the store (empty both: no suggestion for it). */
export function ReorderDialog({ storeId, level, onClose, onDone }: { storeId: string; level: StockLevel | null; onClose: () => void; onDone: (message: string) => unknown }) {
  const [minText, setMinText] = useState('');
  const [reorderText, setReorderText] = useState('');
  const [showErrors, setShowErrors] = useState(false);
  const save = api.stock.setReorder.useMutation();
  useEffect(() => {
    if (!level) return;
    setMinText(level.minQuantity === null ? '' : String(level.minQuantity).replace('.', ','));
    setReorderText(level.reorderQuantity === null ? '' : String(level.reorderQuantity).replace('.', ','));
    setShowErrors(false);
    save.reset();
    // Only when the dialog opens for a product: the mutation object changes on every render.
  }, [level]);

  const clearing = minText.trim() === '' && reorderText.trim() === '';
  const min = parseDecimal(minText);
  const reorder = parseDecimal(reorderText);
  const minError = clearing || (min !== null && min >= 0) ? undefined : 'Informe o mínimo (0 ou mais)';
  const reorderError = clearing || (reorder !== null && reorder > 0) ? undefined : 'Informe quanto pedir (mais que zero)';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setShowErrors(true);
    if (!level || minError || reorderError) return;
    const rule = clearing ? null : { minQuantity: min!, reorderQuantity: reorder! };
    await save.mutateAsync({ storeId, productId: level.productId, rule });
    await onDone(rule ? `${level.name}: mínimo ${formatQuantity(rule.minQuantity)}, pedir ${formatQuantity(rule.reorderQuantity)} ${level.unit}.` : `${level.name} não será mais sugerido para reposição.`);
  };

  return (
    <Modal open={level !== null} title={level ? `Mínimo e reposição de ${level.name}` : 'Mínimo e reposição'} onClose={onClose} busy={save.isPending}>
      {level ? (
        <form className="form" onSubmit={(e) => void submit(e).catch(() => undefined)} aria-label="Mínimo e reposição">
          <p className="muted">Abaixo do mínimo, o produto aparece nas sugestões de reposição da loja. Deixe os dois em branco para não sugerir.</p>
          <TextField label={`Mínimo (${level.unit})`} inputMode="decimal" value={minText} onChange={(e) => setMinText(e.target.value)} error={showErrors ? minError : undefined} data-autofocus />
          <TextField label={`Quanto pedir (${level.unit})`} inputMode="decimal" value={reorderText} onChange={(e) => setReorderText(e.target.value)} error={showErrors ? reorderError : undefined} />
          <ErrorAlert error={save.error} title="Não foi possível salvar" />
          <div className="form-actions">
            <button type="button" className="btn btn-secondary" onClick={onClose} disabled={save.isPending}>
              Voltar
            </button>
            <button type="submit" className="btn btn-primary" disabled={save.isPending}>
              {save.isPending ? 'Salvando…' : 'Salvar'}
            </button>
          </div>
        </form>
      ) : null}
    </Modal>
  );
}
