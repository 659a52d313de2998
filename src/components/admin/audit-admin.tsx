'use client';

import { useState, type FormEvent } from 'react';
import { auditActionLabels as actionLabels, auditActorTypeLabels as actorTypeLabels, auditEntityTypeLabels as entityTypeLabels } from '~/lib/labels';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api, type RouterInputs, type RouterOutputs } from '~/lib/trpc/react';
import { ExportLinks } from '../exports/export-links';
import { SelectField, TextField } from '../ui/fields';
import { DataTable } from '../ui/data-table';
import { formatDateTime } from '../ui/format';
import { PagedList, pagedItems } from '../ui/paged-list';
import { PageHeader } from '../ui/page-header';
import styles from './admin.module.css';
import { UserPicker, type PickedUser } from './user-picker';

type AuditEntry = RouterOutputs['admin']['audit']['list']['items'][number];
type AuditFilters = Omit<RouterInputs['admin']['audit']['list'], 'cursor' | 'limit'>;

type Draft = { action: string; entityType: string; actor: PickedUser | null; from: string; to: string };
const emptyDraft: Draft = { action: '', entityType: '', actor: null, from: '', to: '' };

/** `<input type="date">` values are local calendar days; the period covers both whole days. */
function toFilters(draft: Draft): AuditFilters {
  return {
    action: draft.action.trim() || null,
    entityType: draft.entityType || null,
    actorId: draft.actor?.id ?? null,
    from: draft.from ? new Date(`${draft.from}T00:00:00`) : null,
    to: draft.to ? new Date(`${draft.to}T23:59:59.999`) : null,
  };
}

export function AuditAdmin() {
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [filters, setFilters] = useState<AuditFilters>(() => toFilters(emptyDraft));
  const [periodError, setPeriodError] = useState<string | undefined>();
  const input = { limit: 50, ...filters };
  const list = api.admin.audit.list.useInfiniteQuery(input, cursorPages);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (draft.from && draft.to && draft.from > draft.to) {
      setPeriodError('A data inicial deve ser anterior ou igual à final.');
      return;
    }
    setPeriodError(undefined);
    setFilters(toFilters(draft));
  };
  const clear = () => {
    setDraft(emptyDraft);
    setPeriodError(undefined);
    setFilters(toFilters(emptyDraft));
  };
  const set = (key: Exclude<keyof Draft, 'actor'>) => (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: event.target.value }));

  const entries = pagedItems(list);

  return (
    <>
      <PageHeader
        title="Auditoria"
        description="Quem fez o quê, e quando. Os registros não podem ser alterados."
        actions={<ExportLinks kind="audit" params={filters} label="Exportar os registros filtrados" />}
      />

      <form className="filters filters-audit" aria-label="Filtrar auditoria" onSubmit={apply} noValidate>
        <TextField label="Ação" value={draft.action} onChange={set('action')} list="audit-actions" autoComplete="off" placeholder="ex.: user.created" />
        <datalist id="audit-actions">
          {Object.entries(actionLabels).map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </datalist>
        <SelectField label="Tipo de entidade" value={draft.entityType} onChange={set('entityType')}>
          <option value="">Todos</option>
          {Object.entries(entityTypeLabels).map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </SelectField>
        <UserPicker label="Usuário" value={draft.actor} onChange={(actor) => setDraft((d) => ({ ...d, actor }))} noneLabel="Todos" />
        <TextField label="De" type="date" value={draft.from} onChange={set('from')} error={periodError} />
        <TextField label="Até" type="date" value={draft.to} onChange={set('to')} />
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
        loadingLabel="Carregando registros…"
        errorTitle="Não foi possível carregar a auditoria"
        empty="Nenhum registro encontrado com esses filtros."
      >
        <DataTable caption="Registros de auditoria" columns={['Quando', 'Quem', 'Ação', 'Entidade', 'Detalhes']}>
          {entries.map((entry) => (
            <AuditRow key={entry.id} entry={entry} />
          ))}
        </DataTable>
      </PagedList>
    </>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const hasChanges = entry.before != null || entry.after != null;
  return (
    <tr role="row">
      <td role="cell" data-label="Quando">{formatDateTime(entry.createdAt)}</td>
      <td role="cell" data-label="Quem">
        {entry.actorName ?? actorTypeLabels[entry.actorType] ?? entry.actorType}
        {entry.actorType === 'token' ? <span className="muted"> (via token)</span> : null}
        {entry.ip ? <span className="muted block">IP {entry.ip}</span> : null}
      </td>
      <td role="cell" data-label="Ação">
        {actionLabels[entry.action] ?? entry.action}
        <span className="muted block mono">{entry.action}</span>
      </td>
      <td role="cell" data-label="Entidade">
        {entityTypeLabels[entry.entityType] ?? entry.entityType}
        {entry.entityId ? <span className="muted block mono break">{entry.entityId}</span> : null}
      </td>
      <td role="cell" data-label="Detalhes">
        {hasChanges ? (
          <details>
            <summary>Ver dados</summary>
            {entry.before != null ? (
              <>
                <p className={styles.detailsLabel}>Antes</p>
                <pre className={styles.json}>{JSON.stringify(entry.before, null, 2)}</pre>
              </>
            ) : null}
            {entry.after != null ? (
              <>
                <p className={styles.detailsLabel}>Depois</p>
                <pre className={styles.json}>{JSON.stringify(entry.after, null, 2)}</pre>
              </>
            ) : null}
            {entry.requestId ? <p className="muted mono">Requisição {entry.requestId}</p> : null}
          </details>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}
