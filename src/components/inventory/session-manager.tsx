'use client';

import Link from 'next/link';
import { useState } from 'react';
import { brl as money } from '~/lib/money';
import { describeError, errorDetails, errorReason } from '~/lib/trpc/errors';
import { api, type RouterInputs } from '~/lib/trpc/react';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { ExportLinks } from '../exports/export-links';
import { PrintButton } from '../print/print-button';
import { PrintHeader, type PrintFact } from '../print/print-header';
import { ErrorAlert, Loading, Notice } from '../ui/feedback';
import { RowCheckbox } from '../ui/fields';
import { formatDateTime, formatQuantity } from '../ui/format';
import { LoadMore } from '../ui/load-more';
import { PageHeader } from '../ui/page-header';
import { AssignmentPicker } from './assignment-picker';
import { CancelSessionDialog } from './cancel-dialog';
import { FinalizeDialog, type UncountedFigures } from './finalize-dialog';
import { formatTime, quantityLabel, statusLabels } from './shared';
import styles from './inventory.module.css';
import figures from '../ui/figures.module.css';

/** The manager's view of one session: live progress (pushed, not polled), variance review, recounts, finalize. */
export function SessionManager({ sessionId }: { sessionId: string }) {
  const utils = api.useUtils();
  const session = api.inventory.byId.useQuery({ id: sessionId });
  const progress = api.inventory.progress.useQuery({ sessionId });
  const [only, setOnly] = useState<ReviewFilter | ''>('');
  const [sort, setSort] = useState<ReviewSort>('ean');
  // Pages of 500 lines, "Carregar mais" for the next: a whole store's inventory has thousands.
  const review = api.inventory.review.useInfiniteQuery({ sessionId, limit: 500, only: only || null, sort }, cursorPages);
  const summary = review.data?.pages[0]?.summary;
  const lines = review.data?.pages.flatMap((p) => p.items) ?? [];
  // The paper holds every line of the review as filtered and sorted, not only the pages loaded so far.
  const loadAllLines = async () => {
    for (;;) {
      const next = await review.fetchNextPage();
      if (next.isError) throw next.error;
      if (!next.hasNextPage) return;
    }
  };
  const storeId = session.data?.storeId;

  api.dashboard.live.useSubscription(storeId ? { storeId } : undefined, {
    enabled: !!storeId,
    onData: (event) => {
      if ((event as { kind?: string }).kind !== 'inventory') return;
      void utils.inventory.progress.invalidate({ sessionId });
      void utils.inventory.review.invalidate({ sessionId });
      void utils.inventory.byId.invalidate({ id: sessionId });
    },
  });

  const [selected, setSelected] = useState<Set<string>>(new Set());
  const recount = api.inventory.requestRecount.useMutation({
    onSuccess: () => {
      setSelected(new Set());
      void utils.inventory.byId.invalidate({ id: sessionId });
      void utils.inventory.review.invalidate({ sessionId });
    },
  });
  const withdraw = api.inventory.cancelRecount.useMutation({
    onSettled: () => {
      void utils.inventory.byId.invalidate({ id: sessionId });
      void utils.inventory.review.invalidate({ sessionId });
    },
  });
  const [confirm, setConfirm] = useState<'finalize' | 'force' | null>(null);
  const [cancelling, setCancelling] = useState(false);
  // The server's figures when it refused a finalize for them (newer than the review the manager read).
  const [serverUncounted, setServerUncounted] = useState<UncountedFigures | null>(null);
  const finalize = api.inventory.finalize.useMutation({
    onSuccess: () => {
      setConfirm(null);
      void utils.inventory.invalidate();
    },
    onError: (error) => {
      void utils.inventory.review.invalidate({ sessionId });
      const reason = errorReason(error);
      if (reason === 'uncounted_lines' || reason === 'uncounted_confirmation') {
        const d = errorDetails(error);
        setServerUncounted({ lines: Number(d.lines) || 0, value: Number(d.value) || 0 });
      } else {
        setConfirm(null);
      }
    },
  });
  const recountUncounted = api.inventory.recountUncounted.useMutation({
    onSuccess: () => {
      setConfirm(null);
      void utils.inventory.byId.invalidate({ id: sessionId });
      void utils.inventory.review.invalidate({ sessionId });
    },
  });
  const devicesPending = finalize.error && errorReason(finalize.error) === 'devices_pending';
  const uncounted: UncountedFigures | null = serverUncounted ?? (summary ? { lines: summary.uncountedExpectedLines, value: summary.uncountedExpectedValue } : null);
  const openFinalize = (mode: 'finalize' | 'force') => {
    finalize.reset();
    recountUncounted.reset();
    setServerUncounted(null);
    setConfirm(mode);
  };

  if (session.isPending) return <Loading />;
  if (session.error) return <ErrorAlert error={session.error} title="Não foi possível abrir o inventário" onRetry={() => void session.refetch()} />;
  const s = session.data;
  const open = s.status === 'open';
  const printFacts: PrintFact[] = [
    { label: 'Loja', value: s.storeName },
    { label: 'Situação', value: `${statusLabels[s.status]} · ${s.scope === 'full' ? 'completo' : 'parcial'}${s.blind ? ' · às cegas' : ''}` },
    { label: 'Aberto por', value: `${s.openedByName} em ${formatDateTime(s.openedAt)}` },
    ...(s.finalizedAt ? [{ label: 'Finalizado por', value: `${s.finalizedByName ?? '—'} em ${formatDateTime(s.finalizedAt)}` }] : []),
    ...(s.cancelledAt ? [{ label: 'Cancelado em', value: `${formatDateTime(s.cancelledAt)}${s.cancelReason ? `: ${s.cancelReason}` : ''}` }] : []),
    { label: 'Designados', value: s.assignments.length ? s.assignments.map((a) => `${a.name}${a.zone ? ` (${a.zone})` : ''}`).join(', ') : 'ninguém' },
    ...(progress.data?.clerks.length ? [{ label: 'Leituras por', value: progress.data.clerks.map((c) => `${c.name} (${c.entries})`).join(', ') }] : []),
    { label: 'Linhas', value: `${reviewFilterLabels[only]}, por ${reviewSortLabels[sort]}` },
  ];

  return (
    <section>
      <PrintHeader title={`Inventário ${s.number}`} facts={printFacts} />
      <PageHeader
        className="no-print"
        title={`Inventário ${s.number} · ${s.storeName}`}
        description={`${statusLabels[s.status]} · ${s.scope === 'full' ? 'completo' : 'parcial'}${s.blind ? ' · às cegas' : ''} · aberto por ${s.openedByName} em ${formatTime(s.openedAt.toISOString())}${s.cancelledAt ? ` · cancelado em ${formatTime(s.cancelledAt.toISOString())}${s.cancelReason ? `: ${s.cancelReason}` : ''}` : ''}`}
        actions={
          <>
            <Link href="/inventory" className="btn btn-secondary">
              Voltar
            </Link>
            <ExportLinks kind="inventory-session" params={{ sessionId: s.id }} label="Exportar o resultado do inventário" />
            <PrintButton ready={review.isSuccess && !review.hasNextPage} loadRest={loadAllLines} loadingLabel="Carregando as linhas…" disabled={!review.isSuccess} />
            {open ? (
              <Link href={`/inventory/${s.id}/count`} className="btn btn-secondary">
                Contar
              </Link>
            ) : null}
            {open ? (
              <button type="button" className="btn btn-secondary" onClick={() => setCancelling(true)}>
                Cancelar inventário
              </button>
            ) : null}
            {open ? (
              <button type="button" className="btn btn-primary" onClick={() => openFinalize('finalize')}>
                Finalizar
              </button>
            ) : null}
          </>
        }
      />
      {finalize.data ? (
        <Notice tone="success">
          Inventário finalizado: {finalize.data.lines} linhas, divergência {money(finalize.data.varianceValue)}.
        </Notice>
      ) : null}
      {recountUncounted.data ? (
        <Notice tone="success">
          {recountUncounted.data.marked.length === 0
            ? 'Não há produtos sem contagem para pedir.'
            : `Pedida a contagem de ${plural(recountUncounted.data.marked.length, 'produto nunca contado', 'produtos nunca contados')}: os tablets mostram ${recountUncounted.data.marked.length === 1 ? 'o pedido' : 'os pedidos'} de recontagem.`}
        </Notice>
      ) : null}
      {devicesPending ? (
        <div className="alert alert-warning" role="alert" data-testid="finalize-refused">
          <p className="alert-title">Há tablets com leituras não sincronizadas</p>
          <p>{describeError(finalize.error)}</p>
          <button type="button" className="btn btn-danger" onClick={() => openFinalize('force')}>
            Forçar finalização
          </button>
        </div>
      ) : confirm === null ? (
        <ErrorAlert error={finalize.error} title="Não foi possível finalizar" />
      ) : null}
      <FinalizeDialog
        open={confirm !== null}
        force={confirm === 'force'}
        uncounted={uncounted}
        pending={finalize.isPending || recountUncounted.isPending}
        error={
          <>
            <ErrorAlert error={confirm !== null ? finalize.error : null} title="Não foi possível finalizar" />
            <ErrorAlert error={recountUncounted.error} title="Não foi possível pedir a contagem" />
          </>
        }
        onCancel={() => setConfirm(null)}
        onFinalize={(choice) => finalize.mutate({ sessionId, force: confirm === 'force', ...choice })}
        onRecount={() => recountUncounted.mutate({ sessionId })}
      />
      <CancelSessionDialog sessionId={sessionId} open={cancelling} onClose={() => setCancelling(false)} />

      <div className="no-print">
        <h2 className="section-title">Progresso ao vivo</h2>
        {progress.data ? (
          <div className={styles.grid} data-testid="inventory-progress">
            <div className="card">
              <p className={figures.kpiLabel}>Leituras</p>
              <p className={figures.kpiValue} data-testid="progress-entries">
                {progress.data.totals.entries}
              </p>
              <p className="muted">
                {plural(progress.data.totals.products, 'produto', 'produtos')} · {progress.data.totals.unmatchedEntries} sem cadastro
              </p>
            </div>
            <div className="card">
              <p className={figures.kpiLabel}>Por zona</p>
              <ul>
                {progress.data.zones.map((z) => (
                  <li key={z.zone}>
                    {z.zone || 'Sem zona'}: {plural(z.entries, 'leitura', 'leituras')}, {plural(z.products, 'produto', 'produtos')}
                  </li>
                ))}
              </ul>
            </div>
            <div className="card">
              <p className={figures.kpiLabel}>Por operador</p>
              <ul>
                {progress.data.clerks.map((c) => (
                  <li key={c.userId}>
                    {c.name}: {plural(c.entries, 'leitura', 'leituras')}
                  </li>
                ))}
              </ul>
            </div>
            <div className="card">
              <p className={figures.kpiLabel}>Tablets</p>
              <ul>
                {progress.data.devices.map((d) => (
                  <li key={d.deviceId}>
                    <span className="mono">{d.deviceId}</span> ({d.userName}): {d.pendingCount > 0 ? `${d.pendingCount} ${d.pendingCount === 1 ? 'pendente' : 'pendentes'}` : 'tudo sincronizado'} · {formatTime(d.lastSyncAt)}
                  </li>
                ))}
              </ul>
            </div>
          </div>
        ) : (
          <ErrorAlert error={progress.error} />
        )}
        <p className="muted" data-testid="assigned-now">
          Designados: {s.assignments.length ? s.assignments.map((a) => `${a.name}${a.zone ? ` (${a.zone})` : ''}`).join(', ') : 'ninguém'}
        </p>
        <AssignmentPicker sessionId={sessionId} zones={s.filter.zones ?? []} disabled={!open} />
      </div>

      <h2 className="section-title">Revisão de divergências</h2>
      <div className={`${styles.grid} no-print`}>
        <label className={styles.small}>
          Mostrar
          <select className="input" value={only} onChange={(e) => setOnly(e.target.value as ReviewFilter | '')}>
            {Object.entries(reviewFilterLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.small}>
          Ordenar por
          <select className="input" value={sort} onChange={(e) => setSort(e.target.value as ReviewSort)}>
            {Object.entries(reviewSortLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label[0]!.toUpperCase() + label.slice(1)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {summary ? (
        <p data-testid="review-summary">
          {lineCount(summary.countedLines)} {summary.countedLines === 1 ? 'contada' : 'contadas'} de {summary.lines} · {lineCount(summary.flaggedLines)}{' '}
          {summary.flaggedLines === 1 ? 'sinalizada' : 'sinalizadas'} · divergência {money(summary.varianceValue)}
          {summary.quantities.length > 0 ? (
            <span className="block muted" data-testid="review-quantities">
              Contado / esperado, por unidade:{' '}
              {summary.quantities.map((q) => `${formatQuantity(q.counted)} / ${formatQuantity(q.expected)} ${q.unit}`).join(' · ')}
            </span>
          ) : null}
        </p>
      ) : null}
      {summary && open && summary.uncountedExpectedLines > 0 ? (
        <p className="alert alert-warning" data-testid="review-uncounted">
          {summary.uncountedExpectedLines === 1 ? '1 produto com estoque nunca foi contado' : `${summary.uncountedExpectedLines} produtos com estoque nunca foram contados`}{' '}
          (estoque esperado de {money(summary.uncountedExpectedValue)}). Ao finalizar, você escolhe: contar agora, manter o esperado ou zerar.
        </p>
      ) : null}
      {summary && !open && summary.keptLines + summary.zeroedLines > 0 ? (
        <p className="muted" data-testid="review-uncounted">
          Produtos não contados: {summary.keptLines} {summary.keptLines === 1 ? 'mantido' : 'mantidos'} com a quantidade esperada, {summary.zeroedLines}{' '}
          {summary.zeroedLines === 1 ? 'zerado' : 'zerados'}.
        </p>
      ) : null}
      {review.isPending ? <Loading /> : null}
      {review.error && !review.isFetchNextPageError ? <ErrorAlert error={review.error} onRetry={() => void review.refetch()} /> : null}
      {open && selected.size > 0 ? (
        <button type="button" className="btn btn-primary" disabled={recount.isPending} onClick={() => recount.mutate({ sessionId, eans: [...selected] })}>
          Pedir recontagem de {lineCount(selected.size)}
        </button>
      ) : null}
      <ErrorAlert error={recount.error} />
      <ErrorAlert error={withdraw.error} title="Não foi possível retirar o pedido de recontagem" />
      <div className="table-wrap">
        <table className="data-table">
          <thead>
            <tr>
              <th className="no-print">
                <span className="sr-only">Selecionar</span>
              </th>
              <th>Produto</th>
              <th className="num">Contado</th>
              <th className="num">Esperado</th>
              <th className="num">Divergência</th>
              <th className="num">Valor</th>
              <th className="no-print">
                <span className="sr-only">Ações</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.ean} className={l.flagged ? 'row-error' : undefined}>
                <td className="no-print">
                  <RowCheckbox
                    aria-label={`Selecionar ${l.name ?? l.ean}`}
                    checked={selected.has(l.ean)}
                    disabled={!open}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if (e.target.checked) next.add(l.ean);
                      else next.delete(l.ean);
                      setSelected(next);
                    }}
                  />
                </td>
                <td>
                  {l.name ?? 'Sem cadastro'} <span className="mono muted">{l.ean}</span>
                  {l.flagged ? <span className="badge badge-rejected"> acima do limite</span> : null}
                  {l.uncounted === 'kept' ? <span className="badge"> não contado · mantido</span> : null}
                  {l.uncounted === 'zeroed' ? <span className="badge badge-rejected"> não contado · zerado</span> : null}
                  {!l.uncounted && l.entryCount === 0 && open ? <span className="badge"> não contado</span> : null}
                  {l.recountRequested ? <span className="badge badge-pending"> {l.recounted ? 'recontado' : 'recontagem pedida'}</span> : null}
                </td>
                <td data-label="Contado" className="num">
                  {quantityLabel(l.counted, l.unit)}
                </td>
                <td data-label="Esperado" className="num">
                  {quantityLabel(l.expected, l.unit)}
                </td>
                <td data-label="Divergência" className="num">
                  {quantityLabel(l.varianceQuantity, l.unit)}
                </td>
                <td data-label="Valor" className="num">
                  {money(l.varianceValue)}
                </td>
                <td className="no-print">
                  {open && l.recountRequested && !l.recounted ? (
                    <button
                      type="button"
                      className="btn btn-secondary"
                      disabled={withdraw.isPending}
                      aria-label={`Retirar pedido de recontagem de ${l.name ?? l.ean}`}
                      onClick={() => withdraw.mutate({ sessionId, eans: [l.ean] })}
                    >
                      Retirar pedido
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {review.hasNextPage ? (
        <p className="print-only" data-testid="print-partial">
          Impressão parcial: só as {lineCount(lines.length)} carregadas. Use o botão Imprimir da página para imprimir todas.
        </p>
      ) : null}
      {review.isSuccess && lines.length === 0 ? (
        <p className="empty-state">{only ? 'Nenhuma linha com este filtro.' : 'Nenhuma linha para revisar ainda.'}</p>
      ) : (
        <LoadMore query={review} shown={lines.length} />
      )}
    </section>
  );
}

type ReviewFilter = NonNullable<RouterInputs['inventory']['review']['only']>;
type ReviewSort = NonNullable<RouterInputs['inventory']['review']['sort']>;

const reviewFilterLabels: Record<ReviewFilter | '', string> = {
  '': 'Todas as linhas',
  counted: 'Contadas',
  uncounted: 'Não contadas',
  flagged: 'Acima do limite',
  unmatched: 'Sem cadastro',
  recount: 'Com recontagem',
};

/** Read after "por" on paper ("Todas as linhas, por código (EAN)"); capitalised in the picker. */
const reviewSortLabels: Record<ReviewSort, string> = { ean: 'código (EAN)', impact: 'maior divergência em R$', loss: 'maior falta em R$' };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const lineCount = (n: number) => plural(n, 'linha', 'linhas');
