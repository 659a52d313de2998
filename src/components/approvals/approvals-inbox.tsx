'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { describeError } from '~/lib/trpc/errors';
import { lineTotal } from '~/lib/money';
import { api, type RouterInputs, type RouterOutputs } from '~/lib/trpc/react';
import { checkQuantity } from '../purchase-requests/quantity';
import { useSession } from '../session';
import { RowCheckbox, SelectField, TextAreaField } from '../ui/fields';
import { DataTable, selectColumn } from '../ui/data-table';
import { ErrorAlert, Notice } from '../ui/feedback';
import { formatDateTime, formatMoney, formatQuantity, quantityInputValue } from '../ui/format';
import { Modal } from '../ui/modal';
import { PageHeader } from '../ui/page-header';
import { PagedList, pagedItems } from '../ui/paged-list';
import { WithProductPhoto } from '../ui/product-photo';
import styles from './approvals-inbox.module.css';

type InboxItem = RouterOutputs['purchaseRequests']['inbox']['items'][number];
type Decision = RouterInputs['purchaseRequests']['decideItems']['decisions'][number];
type ErrorLike = { message: string; data?: unknown };
type Outcome = { approved: number; rejected: number; failures: { itemId: string; label: string; message: string }[] };

const PAGE_SIZE = 50;

const lineLabel = (item: InboxItem) => `${item.productName} (${item.requestNumber}, ${item.storeName})`;

function without<T>(set: Set<T>, values: Iterable<T>): Set<T> {
  const next = new Set(set);
  for (const v of values) next.delete(v);
  return next;
}

/**
 * Pending items waiting for this buyer, across stores, oldest first. Each line is approved (optionally a lower
 * quantity) or rejected with a reason, alone or selected in bulk; the server answers item by item, so one
 * line decided by someone else a moment ago never blocks the others.
 */
export function ApprovalsInbox() {
  const { user, stores } = useSession();
  const utils = api.useUtils();
  const isAdmin = user.role === 'admin';
  const [storeId, setStoreId] = useState('');
  const [buyerId, setBuyerId] = useState('');
  const [category, setCategory] = useState('');
  const [minAgeDays, setMinAgeDays] = useState('');
  const [sort, setSort] = useState<'oldest' | 'value'>('oldest');
  const buyers = api.admin.users.list.useQuery({ role: 'buyer', active: true, limit: 200 }, { enabled: isAdmin });
  const categoriesQuery = api.products.categories.useQuery(undefined, { staleTime: 5 * 60_000 });
  const categories = [...new Set((categoriesQuery.data ?? []).flatMap((c) => (c.category ? [c.category] : [])))];

  const input = {
    limit: PAGE_SIZE,
    storeId: storeId || null,
    buyerId: isAdmin ? buyerId || null : null,
    category: category || null,
    minAgeDays: minAgeDays ? Number(minAgeDays) : null,
    sort,
  };
  const inbox = api.purchaseRequests.inbox.useInfiniteQuery(input, cursorPages);
  const items = pagedItems(inbox);

  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const [lineErrors, setLineErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [callError, setCallError] = useState<{ error: ErrorLike; decisions: Decision[]; labels: Map<string, string> } | null>(null);
  const [rejecting, setRejecting] = useState<InboxItem[] | null>(null);

  const decideItems = api.purchaseRequests.decideItems.useMutation();

  const quantityText = (item: InboxItem) => quantities[item.itemId] ?? quantityInputValue(item.quantity);
  const visibleIds = new Set(items.map((i) => i.itemId));
  const selectedItems = items.filter((i) => selected.has(i.itemId));
  const selectable = items.filter((i) => !busy.has(i.itemId));
  const allSelected = selectable.length > 0 && selectable.every((i) => selected.has(i.itemId));

  const decide = async (decisions: Decision[], labels: Map<string, string>) => {
    const ids = decisions.map((d) => d.itemId);
    setBusy((b) => new Set([...b, ...ids]));
    setLineErrors((errors) => Object.fromEntries(Object.entries(errors).filter(([id]) => !ids.includes(id))));
    setCallError(null);
    setOutcome(null);
    try {
      const { results } = await decideItems.mutateAsync({ decisions });
      const kinds = new Map(decisions.map((d) => [d.itemId, d.decision]));
      const ok = results.filter((r) => r.ok);
      const failures = results.flatMap((r) =>
        r.ok ? [] : [{ itemId: r.itemId, label: labels.get(r.itemId) ?? 'Item', message: describeError({ message: r.message, data: { code: r.code, reason: r.reason, details: r.details } }) }],
      );
      setOutcome({
        approved: ok.filter((r) => kinds.get(r.itemId) === 'approve').length,
        rejected: ok.filter((r) => kinds.get(r.itemId) === 'reject').length,
        failures,
      });
      setLineErrors((errors) => ({ ...errors, ...Object.fromEntries(failures.map((f) => [f.itemId, f.message])) }));
      setSelected((s) => without(s, ok.map((r) => r.itemId)));
      setQuantities((q) => Object.fromEntries(Object.entries(q).filter(([id]) => !ok.some((r) => r.itemId === id))));
    } catch (error) {
      // Nothing came back: maybe nothing was decided, maybe all of it. Deciding again is safe: the same decision
      // sent again answers as the first did.
      setCallError({ error: error as ErrorLike, decisions, labels });
    } finally {
      // The rows stay busy until the list has been read again, so a decided row never shows its buttons for a moment.
      await Promise.all([utils.purchaseRequests.inbox.invalidate(), utils.purchaseRequests.byId.invalidate(), utils.purchaseRequests.list.invalidate()]).catch(() => {});
      setBusy((b) => without(b, ids));
    }
  };

  /** Approve with each line's quantity; nothing is sent while any of them is not a valid quantity. */
  const approve = (lines: InboxItem[]) => {
    const errors: Record<string, string> = {};
    const decisions: Decision[] = [];
    for (const item of lines) {
      const checked = checkQuantity(quantityText(item), item.quantity);
      if (checked.error) errors[item.itemId] = checked.error;
      else decisions.push({ itemId: item.itemId, decision: 'approve', quantity: checked.value === item.quantity ? null : checked.value });
    }
    setLineErrors((e) => ({ ...e, ...errors }));
    if (Object.keys(errors).length > 0) {
      setOutcome(null);
      return;
    }
    void decide(decisions, new Map(lines.map((i) => [i.itemId, lineLabel(i)])));
  };

  const reject = (lines: InboxItem[], reason: string) =>
    decide(
      lines.map((i) => ({ itemId: i.itemId, decision: 'reject' as const, reason })),
      new Map(lines.map((i) => [i.itemId, lineLabel(i)])),
    );

  const toggleAll = (checked: boolean) => setSelected(checked ? new Set(selectable.map((i) => i.itemId)) : new Set());
  const toggle = (itemId: string, checked: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (checked) next.add(itemId);
      else next.delete(itemId);
      return next;
    });

  const goneFailures = outcome?.failures.filter((f) => !visibleIds.has(f.itemId)) ?? [];
  const selectionBusy = selectedItems.some((i) => busy.has(i.itemId));

  return (
    <>
      <PageHeader
        title="Aprovações"
        description={
          isAdmin
            ? 'Itens de solicitações pendentes, de todos os compradores. Aprove (se quiser, com quantidade menor) ou recuse com um motivo.'
            : 'Itens das solicitações das lojas que esperam a sua decisão, dos mais antigos para os mais novos.'
        }
      />

      <form className="filters" aria-label="Filtrar aprovações" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Loja" value={storeId} onChange={(e) => setStoreId(e.target.value)}>
          <option value="">Todas as lojas</option>
          {stores.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Categoria" value={category} onChange={(e) => setCategory(e.target.value)} disabled={categoriesQuery.isPending}>
          <option value="">{categoriesQuery.isPending ? 'Carregando…' : 'Todas as categorias'}</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </SelectField>
        <SelectField label="Esperando há" value={minAgeDays} onChange={(e) => setMinAgeDays(e.target.value)}>
          <option value="">Qualquer tempo</option>
          <option value="1">1 dia ou mais</option>
          <option value="3">3 dias ou mais</option>
          <option value="7">7 dias ou mais</option>
        </SelectField>
        <SelectField label="Ordenar por" value={sort} onChange={(e) => setSort(e.target.value as 'oldest' | 'value')}>
          <option value="oldest">Mais antigos primeiro</option>
          <option value="value">Maior valor primeiro</option>
        </SelectField>
        {isAdmin ? (
          <SelectField label="Comprador" value={buyerId} onChange={(e) => setBuyerId(e.target.value)} disabled={buyers.isPending}>
            <option value="">{buyers.isPending ? 'Carregando…' : 'Todos os compradores'}</option>
            {(buyers.data?.items ?? []).map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </SelectField>
        ) : null}
      </form>
      {buyers.isError ? <ErrorAlert error={buyers.error} title="Não foi possível carregar os compradores do filtro" /> : null}

      <div aria-live="polite">
        {outcome && outcome.approved + outcome.rejected > 0 ? (
          <Notice tone="success">
            <p>{decidedSentence(outcome)}</p>
          </Notice>
        ) : null}
        {outcome && outcome.failures.length > 0 ? (
          <div className="alert alert-error" role="alert">
            <p className="alert-title">
              {outcome.failures.length === 1 ? '1 decisão não foi registrada' : `${outcome.failures.length} decisões não foram registradas`}
            </p>
            {goneFailures.length > 0 ? (
              <ul>
                {goneFailures.map((f) => (
                  <li key={f.itemId}>
                    {f.label}: {f.message}
                  </li>
                ))}
              </ul>
            ) : (
              <p>Veja o motivo em cada linha destacada abaixo.</p>
            )}
          </div>
        ) : null}
      </div>
      {callError ? (
        <ErrorAlert
          error={callError.error}
          title="Não foi possível registrar as decisões"
          onRetry={decideItems.isPending ? undefined : () => void decide(callError.decisions, callError.labels)}
        />
      ) : null}

      <PagedList
        query={inbox}
        loadingLabel="Carregando itens pendentes…"
        errorTitle="Não foi possível carregar os itens pendentes"
        empty="Nenhum item esperando decisão. Quando uma loja enviar uma solicitação com produtos seus, ela aparece aqui."
      >
        {inbox.isError ? <ErrorAlert error={inbox.error} title="Não foi possível atualizar a lista" onRetry={() => void inbox.refetch()} /> : null}
        <div className="bulk-bar" role="group" aria-label="Decidir itens selecionados">
          <label className="bulk-select-all">
            <input type="checkbox" className="checkbox" checked={allSelected} onChange={(e) => toggleAll(e.target.checked)} disabled={selectable.length === 0} />
            Selecionar todos
          </label>
          <span className="bulk-count" role="status">
            {selectedItems.length === 0 ? 'Nenhum item selecionado' : selectedItems.length === 1 ? '1 item selecionado' : `${selectedItems.length} itens selecionados`}
          </span>
          <div className="bulk-actions">
            <button type="button" className="btn btn-primary" onClick={() => approve(selectedItems)} disabled={selectedItems.length === 0 || selectionBusy}>
              Aprovar selecionados
            </button>
            <button type="button" className="btn btn-danger-outline" onClick={() => setRejecting(selectedItems)} disabled={selectedItems.length === 0 || selectionBusy}>
              Recusar selecionados
            </button>
          </div>
        </div>

        <DataTable
          caption="Itens pendentes de aprovação"
          className="inbox-table"
          busy={inbox.isFetching && !inbox.isFetchingNextPage}
          columns={[
            selectColumn,
            'Produto',
            'Loja e solicitante',
            { label: 'Qtd.', className: 'num' },
            { label: 'Preço unit.', className: 'num' },
            { label: 'Total', className: 'num' },
            'Decisão',
          ]}
        >
          {items.map((item) => (
            <InboxRow
              key={item.itemId}
              item={item}
              showBuyer={isAdmin}
              quantity={quantityText(item)}
              onQuantity={(value) => setQuantities((q) => ({ ...q, [item.itemId]: value }))}
              selected={selected.has(item.itemId)}
              onSelect={(checked) => toggle(item.itemId, checked)}
              busy={busy.has(item.itemId)}
              error={lineErrors[item.itemId]}
              onApprove={() => approve([item])}
              onReject={() => setRejecting([item])}
            />
          ))}
        </DataTable>
      </PagedList>

      <RejectDialog
        items={rejecting}
        onClose={() => setRejecting(null)}
        onConfirm={(reason) => {
          const lines = rejecting ?? [];
          setRejecting(null);
          void reject(lines, reason);
        }}
      />
    </>
  );
}

function decidedSentence(outcome: Outcome): string {
  const parts = [];
  if (outcome.approved) parts.push(outcome.approved === 1 ? '1 item aprovado' : `${outcome.approved} itens aprovados`);
  if (outcome.rejected) parts.push(outcome.rejected === 1 ? '1 item recusado' : `${outcome.rejected} itens recusados`);
  return `${parts.join(' e ')}. A loja foi avisada.`;
}

type InboxRowProps = {
  item: InboxItem;
  showBuyer: boolean;
  quantity: string;
  onQuantity: (value: string) => void;
  selected: boolean;
  onSelect: (checked: boolean) => void;
  busy: boolean;
  error?: string;
  onApprove: () => void;
  onReject: () => void;
};

function InboxRow({ item, showBuyer, quantity, onQuantity, selected, onSelect, busy, error, onApprove, onReject }: InboxRowProps) {
  const checked = checkQuantity(quantity, item.quantity);
  const qtyId = `approve-qty-${item.itemId}`;
  return (
    <tr role="row" className={error ? 'row-error' : undefined} aria-busy={busy || undefined}>
      <td role="cell" className="select-col">
        <RowCheckbox
          checked={selected}
          onChange={(e) => onSelect(e.target.checked)}
          disabled={busy}
          aria-label={`Selecionar ${item.productName} (${item.requestNumber})`}
        />
      </td>
      <th scope="row" role="rowheader" data-label="Produto">
        <WithProductPhoto productId={item.productId} photoId={item.photoId} name={item.productName}>
          {item.productName}
          <span className="muted block mono">{item.ean}</span>
          {item.note ? <span className="muted block row-note">Obs.: {item.note}</span> : null}
          <span className={`block ${styles.context}`} data-testid="line-context">
            Estoque na loja:{' '}
            {item.stockOnHand === null ? 'sem registro' : `${formatQuantity(item.stockOnHand)} ${item.unit}${item.stockUpdatedAt ? ` (em ${formatDateTime(item.stockUpdatedAt)})` : ''}`}
          </span>
          <span className={`block ${styles.context}`}>
            Últimos 30 dias nesta loja: pedido {formatQuantity(item.last30Days.requested)}, aprovado {formatQuantity(item.last30Days.approved)}
          </span>
          <span className={`block ${styles.context}`}>Preço de referência: {formatMoney(item.referencePrice)}</span>
        </WithProductPhoto>
      </th>
      <td role="cell" data-label="Loja e solicitante">
        {item.storeName}
        <span className="muted block">{item.requestedBy}</span>
        <span className="muted block">
          <Link href={`/purchase-requests/${item.requestId}`}>{item.requestNumber}</Link> · {formatDateTime(item.submittedAt)}
        </span>
        {showBuyer ? <span className="muted block">Comprador: {item.buyerName ?? '—'}</span> : null}
      </td>
      <td role="cell" data-label="Qtd." className="num">
        {formatQuantity(item.quantity)} {item.unit}
      </td>
      <td role="cell" data-label="Preço unit." className="num">
        {formatMoney(item.unitPrice)}
      </td>
      <td role="cell" data-label="Total" className="num">
        {formatMoney(lineTotal(item.quantity, item.unitPrice))}
        {checked.value !== undefined && checked.value !== item.quantity ? (
          <span className="muted block">aprovando {formatMoney(lineTotal(checked.value, item.unitPrice))}</span>
        ) : null}
      </td>
      <td role="cell" data-label="Decisão" className={styles.decisionCell}>
        <div className={styles.decision}>
          <label htmlFor={qtyId} className={styles.decisionLabel}>
            Qtd. a aprovar<span className="sr-only"> de {item.productName}</span>
          </label>
          <input
            id={qtyId}
            className={`input ${styles.decisionQty}`}
            value={quantity}
            onChange={(e) => onQuantity(e.target.value)}
            inputMode={item.unit === 'un' ? 'numeric' : 'decimal'}
            autoComplete="off"
            disabled={busy}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${qtyId}-error` : undefined}
          />
          <button type="button" className="btn btn-primary btn-small" onClick={onApprove} disabled={busy} aria-label={`Aprovar ${item.productName}`}>
            {busy ? 'Aguarde…' : 'Aprovar'}
          </button>
          <button type="button" className="btn btn-danger-outline btn-small" onClick={onReject} disabled={busy} aria-label={`Recusar ${item.productName}`}>
            Recusar
          </button>
        </div>
        {error ? (
          <p id={`${qtyId}-error`} className="field-error">
            {error}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

function RejectDialog({ items, onClose, onConfirm }: { items: InboxItem[] | null; onClose: () => void; onConfirm: (reason: string) => void }) {
  const count = items?.length ?? 0;
  return (
    <Modal open={items !== null} title={count === 1 ? 'Recusar item' : `Recusar ${count} itens`} onClose={onClose}>
      {items ? <RejectForm key={items.map((i) => i.itemId).join()} items={items} onClose={onClose} onConfirm={onConfirm} /> : null}
    </Modal>
  );
}

function RejectForm({ items, onClose, onConfirm }: { items: InboxItem[]; onClose: () => void; onConfirm: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) {
      setError('Informe o motivo da recusa: a loja vai ler.');
      return;
    }
    onConfirm(reason.trim());
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <ul className={styles.rejectList}>
        {items.map((i) => (
          <li key={i.itemId}>
            <strong>{i.productName}</strong> — {formatQuantity(i.quantity)} {i.unit}, {i.storeName} ({i.requestNumber})
          </li>
        ))}
      </ul>
      <TextAreaField
        data-autofocus
        label="Motivo da recusa"
        value={reason}
        onChange={(e) => {
          setReason(e.target.value);
          if (error) setError(undefined);
        }}
        required
        maxLength={500}
        rows={3}
        hint="Por exemplo: estoque suficiente no CD, preço acima do negociado."
        error={error}
      />
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onClose}>
          Cancelar
        </button>
        <button type="submit" className="btn btn-danger">
          {items.length === 1 ? 'Recusar item' : `Recusar ${items.length} itens`}
        </button>
      </div>
    </form>
  );
}
