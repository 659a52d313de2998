'use client';

import { useState, type FormEvent } from 'react';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api, type RouterOutputs } from '~/lib/trpc/react';
// Type-only: the list of event types stays in step with the server's without bundling server code.
import type { EventType } from '~/server/events/types';
import { RowCheckbox, SelectField, TextField } from '../ui/fields';
import { DataTable, selectColumn } from '../ui/data-table';
import { ErrorAlert } from '../ui/feedback';
import { formatDateTime, formatInteger } from '../ui/format';
import { Modal } from '../ui/modal';
import { PagedList, pagedItems } from '../ui/paged-list';
import { PageHeader } from '../ui/page-header';
import { consumerLabels } from './operations-labels';
import figures from '../ui/figures.module.css';

type DomainEvent = RouterOutputs['admin']['events']['list']['items'][number];
type ReplayResult = RouterOutputs['admin']['events']['replay'];
type Filters = { type: string | null; aggregateId: string | null };

/** The server takes at most this many events per replay. */
const MAX_REPLAY = 1000;

/** Every event type the server writes (src/server/events/types.ts); an unknown one is shown by its code. */
const eventTypeLabels: Record<EventType, string> = {
  'product.created': 'Produto criado',
  'product.updated': 'Produto alterado',
  'product.deleted': 'Produto removido',
  'purchaseRequest.created': 'Solicitação criada',
  'purchaseRequest.itemDecided': 'Item de solicitação decidido',
  'purchaseRequest.completed': 'Solicitação concluída',
  'purchaseRequest.closed': 'Solicitação fechada',
  'inventory.opened': 'Inventário aberto',
  'inventory.assigned': 'Contagem designada',
  'inventory.finalized': 'Inventário finalizado',
  'inventory.cancelled': 'Inventário cancelado',
  'compliance.tasksChanged': 'Tarefas de conformidade criadas ou canceladas',
  'compliance.submitted': 'Fotos de conformidade enviadas',
  'compliance.reviewRequired': 'Conformidade aguarda revisão',
  'compliance.completed': 'Conformidade avaliada',
  'compliance.returned': 'Conformidade devolvida à loja',
  'stock.adjusted': 'Estoque ajustado',
  'stock.transferred': 'Estoque transferido',
  'stock.received': 'Entrega recebida',
  'receiving.opened': 'Entrega em conferência',
  'image.processed': 'Imagem processada',
  'notification.sent': 'Notificação enviada',
  'user.created': 'Usuário criado',
  'user.updated': 'Usuário alterado',
  'store.created': 'Loja criada',
  'store.updated': 'Loja alterada',
  'apiToken.revoked': 'Token de API revogado',
  'featureFlag.changed': 'Recurso ligado ou desligado',
};
const eventTypeLabel = (type: string) => (eventTypeLabels as Record<string, string>)[type];

export function EventsAdmin() {
  const [draft, setDraft] = useState({ type: '', aggregateId: '' });
  const [filters, setFilters] = useState<Filters>({ type: null, aggregateId: null });
  const [selected, setSelected] = useState<Set<number>>(() => new Set());
  const [replaying, setReplaying] = useState(false);
  const input = { limit: 50, ...filters };
  const list = api.admin.events.list.useInfiniteQuery(input, cursorPages);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setSelected(new Set());
    setFilters({ type: draft.type.trim() || null, aggregateId: draft.aggregateId.trim() || null });
  };
  const clear = () => {
    setDraft({ type: '', aggregateId: '' });
    setSelected(new Set());
    setFilters({ type: null, aggregateId: null });
  };

  const events = pagedItems(list);
  const allSelected = events.length > 0 && events.every((e) => selected.has(e.id));
  const toggle = (id: number, checked: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (checked) next.add(id);
      else next.delete(id);
      return next;
    });
  const toggleAll = (checked: boolean) => setSelected(checked ? new Set(events.map((e) => e.id)) : new Set());

  return (
    <>
      <PageHeader
        title="Eventos"
        term="eventos de domínio · event log"
        description="O registro de tudo o que aconteceu no sistema. Depois de corrigir um consumidor, reenvie para ele os eventos que ele perdeu."
      />

      <form className="filters" aria-label="Filtrar eventos" onSubmit={apply} noValidate>
        <TextField
          label="Tipo"
          value={draft.type}
          onChange={(e) => setDraft((d) => ({ ...d, type: e.target.value }))}
          list="event-types"
          autoComplete="off"
          maxLength={80}
          placeholder="ex.: product.created"
          hint="Escolha da lista ou digite o código do tipo."
        />
        <datalist id="event-types">
          {Object.entries(eventTypeLabels).map(([type, label]) => (
            <option key={type} value={type}>
              {label}
            </option>
          ))}
        </datalist>
        <TextField
          label="Agregado (id)"
          value={draft.aggregateId}
          onChange={(e) => setDraft((d) => ({ ...d, aggregateId: e.target.value }))}
          autoComplete="off"
          maxLength={200}
          className="mono"
          hint="O id do produto, da solicitação ou do inventário."
        />
        <div className="filters-actions">
          <button type="submit" className="btn btn-primary" disabled={list.isFetching && !list.isFetchingNextPage}>
            Filtrar
          </button>
          <button type="button" className="btn btn-secondary" onClick={clear}>
            Limpar
          </button>
        </div>
      </form>

      <PagedList
        query={list}
        loadingLabel="Carregando eventos…"
        errorTitle="Não foi possível carregar os eventos"
        empty={`Nenhum evento encontrado${filters.type || filters.aggregateId ? ' com esses filtros' : ''}.`}
      >
        <div className="bulk-bar" role="group" aria-label="Reenviar eventos selecionados">
          <label className="bulk-select-all">
            <input type="checkbox" className="checkbox" checked={allSelected} onChange={(e) => toggleAll(e.target.checked)} />
            Selecionar todos os exibidos
          </label>
          <span className="bulk-count" role="status">
            {selected.size === 1 ? '1 selecionado' : `${formatInteger(selected.size)} selecionados`}
          </span>
          <div className="bulk-actions">
            <button type="button" className="btn btn-primary" disabled={selected.size === 0} onClick={() => setReplaying(true)}>
              Reenviar para consumidor…
            </button>
          </div>
        </div>
        <DataTable
          caption="Eventos"
          className="inbox-table"
          columns={[selectColumn, 'Id', 'Tipo', 'Agregado', 'Seq.', 'Criado em', 'Publicado em']}
        >
          {events.map((event) => (
            <EventRow key={event.id} event={event} selected={selected.has(event.id)} onToggle={(checked) => toggle(event.id, checked)} />
          ))}
        </DataTable>
      </PagedList>

      <ReplayDialog open={replaying} eventIds={[...selected]} onClose={() => setReplaying(false)} onDone={() => setSelected(new Set())} />
    </>
  );
}

function EventRow({ event, selected, onToggle }: { event: DomainEvent; selected: boolean; onToggle: (checked: boolean) => void }) {
  return (
    <tr role="row">
      <td role="cell" className="select-col">
        <RowCheckbox checked={selected} onChange={(e) => onToggle(e.target.checked)} aria-label={`Selecionar o evento ${event.id} (${event.type})`} />
      </td>
      <th scope="row" role="rowheader" data-label="Id" className="mono">
        {event.id}
      </th>
      <td role="cell" data-label="Tipo">
        {eventTypeLabel(event.type) ?? event.type}
        <span className="muted block mono">{event.type}</span>
      </td>
      <td role="cell" data-label="Agregado">
        {event.aggregateType}
        <span className="muted block mono break">{event.aggregateId}</span>
      </td>
      <td role="cell" data-label="Seq.">
        {event.aggregateSeq}
      </td>
      <td role="cell" data-label="Criado em">
        {formatDateTime(event.createdAt)}
      </td>
      <td role="cell" data-label="Publicado em">
        {event.publishedAt ? formatDateTime(event.publishedAt) : <span className="badge badge-pending">Aguardando</span>}
      </td>
    </tr>
  );
}

function ReplayDialog({ open, eventIds, onClose, onDone }: { open: boolean; eventIds: number[]; onClose: () => void; onDone: () => void }) {
  const [consumer, setConsumer] = useState('');
  const [consumerError, setConsumerError] = useState<string | undefined>();
  const [result, setResult] = useState<ReplayResult | null>(null);
  const replay = api.admin.events.replay.useMutation({
    onSuccess: (data) => {
      setResult(data);
      onDone();
    },
  });
  const close = () => {
    setConsumer('');
    setConsumerError(undefined);
    setResult(null);
    replay.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!consumer) {
      setConsumerError('Escolha o consumidor.');
      return;
    }
    if (eventIds.length > MAX_REPLAY) {
      setConsumerError(`Selecione no máximo ${formatInteger(MAX_REPLAY)} eventos por vez.`);
      return;
    }
    setConsumerError(undefined);
    replay.mutate({ eventIds, consumer });
  };

  return (
    <Modal open={open} title="Reenviar eventos" onClose={close} busy={replay.isPending}>
      {result ? (
        <div className="form">
          <div className="alert alert-success" role="status">
            <p className="alert-title">Eventos reenviados para {consumerLabels[consumer] ?? consumer}</p>
            <dl className={figures.figureList}>
              <div>
                <dt>Reenviados</dt>
                <dd>{formatInteger(result.replayed)}</dd>
              </div>
              <div>
                <dt>Ignorados (não encontrados)</dt>
                <dd>{formatInteger(result.skipped)}</dd>
              </div>
            </dl>
          </div>
          <div className="form-actions">
            <button type="button" className="btn btn-primary" onClick={close} autoFocus>
              Concluir
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit} noValidate className="form">
          <p>
            {eventIds.length === 1 ? '1 evento selecionado' : `${formatInteger(eventIds.length)} eventos selecionados`}. O consumidor escolhido processa
            cada um de novo, mesmo que já o tenha processado; os outros consumidores não são afetados.
          </p>
          <SelectField label="Consumidor" value={consumer} onChange={(e) => setConsumer(e.target.value)} required error={consumerError}>
            <option value="">Escolha…</option>
            {Object.entries(consumerLabels).map(([name, label]) => (
              <option key={name} value={name}>
                {label} ({name})
              </option>
            ))}
          </SelectField>
          {replay.isError ? <ErrorAlert error={replay.error} /> : null}
          <div className="form-actions">
            <button type="button" className="btn btn-secondary" onClick={close} disabled={replay.isPending}>
              Cancelar
            </button>
            <button type="submit" className="btn btn-primary" disabled={replay.isPending}>
              {replay.isPending ? 'Reenviando…' : 'Reenviar'}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
