'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { api } from '~/lib/trpc/react';
import { randomUuid } from '~/lib/ui/uuid';
import { useSession } from '../session';
import { ErrorAlert } from '../ui/feedback';
import { SelectField, TextAreaField, TextField } from '../ui/fields';
import { formatQuantity, parseDecimal } from '../ui/format';
import { Modal } from '../ui/modal';
import type { StockLevel } from './types';

type Change = 'add' | 'remove' | 'loss' | 'transfer';
const changeNames: Record<Change, string> = {
  add: 'Ajuste: somar ao saldo',
  remove: 'Ajuste: tirar do saldo',
  loss: 'Perda (avaria, validade, furto)',
  transfer: 'Transferir para outra loja',
};

/**
 * A manager's change of one product's stock, with the reason. The operation's id is made when the dialog opens, so
 * sending again after a dropped answer is the same operation (the server writes it once).
 */
export function AdjustStockDialog({ storeId, level, onClose, onDone }: { storeId: string; level: StockLevel | null; onClose: () => void; onDone: (message: string) => unknown }) {
  const { stores } = useSession();
  const [change, setChange] = useState<Change>('add');
  const [quantityText, setQuantityText] = useState('');
  const [reason, setReason] = useState('');
  const [toStoreId, setToStoreId] = useState('');
  const [operationId, setOperationId] = useState('');
  const [showErrors, setShowErrors] = useState(false);
  const others = stores.filter((s) => s.id !== storeId);
  const adjust = api.stock.adjust.useMutation();
  const transfer = api.stock.transfer.useMutation();
  const pending = adjust.isPending || transfer.isPending;

  useEffect(() => {
    if (!level) return;
    setChange('add');
    setQuantityText('');
    setReason('');
    setToStoreId(others[0]?.id ?? '');
    setOperationId(randomUuid());
    setShowErrors(false);
    adjust.reset();
    transfer.reset();
    // Only when the dialog opens for a product: the mutation objects change on every render.
  }, [level]);

  // A different operation (another kind, quantity or store) gets a new id; the same one keeps it for a retry.
  useEffect(() => setOperationId(randomUuid()), [change, quantityText, toStoreId]);

  const quantity = parseDecimal(quantityText);
  const quantityError = quantity === null || quantity <= 0 ? 'Informe uma quantidade maior que zero' : undefined;
  const reasonError = reason.trim() ? undefined : 'Informe o motivo';
  const storeError = change === 'transfer' && !toStoreId ? 'Escolha a loja de destino' : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setShowErrors(true);
    if (!level || quantityError || reasonError || storeError || quantity === null) return;
    const common = { id: operationId, productId: level.productId, reason: reason.trim() };
    const amount = `${formatQuantity(quantity)} ${level.unit}`;
    if (change === 'transfer') {
      await transfer.mutateAsync({ ...common, fromStoreId: storeId, toStoreId, quantity });
      await onDone(`${amount} de ${level.name} transferido(s) para ${stores.find((s) => s.id === toStoreId)?.name ?? 'a outra loja'}.`);
    } else {
      const result = await adjust.mutateAsync({ ...common, storeId, kind: change === 'loss' ? 'loss' : 'manual_adjustment', quantity: change === 'remove' ? -quantity : quantity });
      await onDone(`Estoque de ${level.name} ajustado: saldo agora ${formatQuantity(result.movements.at(-1)?.balanceAfter ?? null)} ${level.unit}.`);
    }
  };

  return (
    <Modal open={level !== null} title={level ? `Ajustar o estoque de ${level.name}` : 'Ajustar o estoque'} onClose={onClose} busy={pending}>
      {level ? (
        <form className="form" onSubmit={(e) => void submit(e).catch(() => undefined)} aria-label="Ajustar o estoque">
          <p className="muted">
            Saldo atual: {formatQuantity(level.quantity)} {level.unit}
          </p>
          <SelectField label="O que aconteceu" value={change} onChange={(e) => setChange(e.target.value as Change)}>
            {(Object.keys(changeNames) as Change[])
              .filter((c) => c !== 'transfer' || others.length > 0)
              .map((c) => (
                <option key={c} value={c}>
                  {changeNames[c]}
                </option>
              ))}
          </SelectField>
          {change === 'transfer' ? (
            <SelectField label="Loja de destino" value={toStoreId} onChange={(e) => setToStoreId(e.target.value)} error={showErrors ? storeError : undefined}>
              {others.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </SelectField>
          ) : null}
          <TextField
            label={`Quantidade (${level.unit})`}
            inputMode="decimal"
            required
            value={quantityText}
            onChange={(e) => setQuantityText(e.target.value)}
            error={showErrors ? quantityError : undefined}
            data-autofocus
          />
          <TextAreaField label="Motivo" required maxLength={500} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} error={showErrors ? reasonError : undefined} />
          <ErrorAlert error={adjust.error ?? transfer.error} title="Não foi possível registrar" />
          <div className="form-actions">
            <button type="button" className="btn btn-secondary" onClick={onClose} disabled={pending}>
              Voltar
            </button>
            <button type="submit" className="btn btn-primary" disabled={pending}>
              {pending ? 'Registrando…' : 'Registrar'}
            </button>
          </div>
        </form>
      ) : null}
    </Modal>
  );
}
