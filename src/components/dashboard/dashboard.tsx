'use client';

import { keepPreviousData } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { requestStatusLabels, type RequestStatus } from '../purchase-requests/status';
import { useSession } from '../session';
import { SelectField } from '../ui/fields';
import { EmptyState, ErrorAlert, Loading, Notice } from '../ui/feedback';
import { formatDateTime, formatInteger, formatMoney, formatPercent, formatTime } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import { BuyerApprovalChart, DailyRequestsChart, StoreValueChart } from './charts';
import { RecentRequests } from './recent-requests';
import { useLiveDashboard, type LiveState } from './use-live-dashboard';
import styles from './dashboard.module.css';
import figures from '../ui/figures.module.css';

type Summary = RouterOutputs['dashboard']['summary'];

/** KPI order: the requests that still need someone first. Drafts are private to their author and not counted. */
const KPI_STATUSES: RequestStatus[] = ['pending', 'partially_approved', 'approved', 'rejected', 'closed'];
/** A tile's top border says which status it counts (closed has none of its own). */
const kpiTone: Partial<Record<RequestStatus, string>> = {
  pending: figures.kpiPending,
  partially_approved: figures.kpiPartiallyApproved,
  approved: figures.kpiApproved,
  rejected: figures.kpiRejected,
};

const cacheLabels: Record<Summary['cache'], string> = {
  fresh: 'do cache',
  stale: 'do cache, sendo atualizados',
  rebuilt: 'calculados agora',
};

/**
 * The manager's view, per store or of the whole chain, kept current by a live stream: any change to a request
 * reaches this screen within about a second, without reloading.
 */
export function Dashboard() {
  const { user, stores } = useSession();
  const wholeChain = user.role === 'manager' || user.role === 'admin';
  // Clerks see their own store(s) only; with more than one they pick which.
  const [storeId, setStoreId] = useState<string>(wholeChain ? '' : (stores[0]?.id ?? ''));
  const scope = storeId || null;

  if (!wholeChain && stores.length === 0) {
    return (
      <>
        <PageHeader title="Painel" />
        <Notice tone="warning">
          <p>Você não está vinculado(a) a nenhuma loja ativa, então não há painel para mostrar. Peça a um administrador para incluir você em uma loja.</p>
        </Notice>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Painel"
        description={wholeChain ? 'Solicitações, aprovações, inventários e conformidade da rede ou de uma loja.' : 'Solicitações, aprovações, inventários e conformidade da sua loja.'}
        actions={
          wholeChain || stores.length > 1 ? (
            <div className={styles.dashboardScope}>
              <SelectField label="Loja" value={storeId} onChange={(e) => setStoreId(e.target.value)}>
                {wholeChain ? <option value="">Todas as lojas</option> : null}
                {stores.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </SelectField>
            </div>
          ) : undefined
        }
      />
      <DashboardBody key={scope ?? 'all'} storeId={scope} storeName={stores.find((s) => s.id === scope)?.name} />
    </>
  );
}

function DashboardBody({ storeId, storeName }: { storeId: string | null; storeName?: string }) {
  const live = useLiveDashboard(storeId);
  const summary = api.dashboard.summary.useQuery(
    { storeId },
    {
      placeholderData: keepPreviousData,
      // A stale answer is being rebuilt on the server right now: ask again shortly for the new one.
      refetchInterval: (query) => (query.state.data?.cache === 'stale' ? 3_000 : false),
    },
  );

  return (
    <>
      <div className={styles.dashboardStatus}>
        <LiveIndicator live={live} />
        {summary.data ? (
          <p className={figures.meta}>
            Dados de <time dateTime={summary.data.builtAt}>{formatTime(summary.data.builtAt)}</time>, {cacheLabels[summary.data.cache] ?? summary.data.cache}
            {summary.isFetching ? ' · atualizando…' : ''}
          </p>
        ) : null}
      </div>

      {summary.isPending ? (
        <Loading label="Carregando o painel…" />
      ) : summary.isError && !summary.data ? (
        <ErrorAlert error={summary.error} title="Não foi possível carregar o painel" onRetry={() => void summary.refetch()} />
      ) : summary.data ? (
        <>
          {summary.isError ? <ErrorAlert error={summary.error} title="Não foi possível atualizar o painel; mostrando os últimos dados" onRetry={() => void summary.refetch()} /> : null}
          <DashboardContent data={summary.data} storeId={storeId} storeName={storeName} />
        </>
      ) : null}
    </>
  );
}

function LiveIndicator({ live }: { live: LiveState }) {
  const [tone, text] =
    live.status === 'pending'
      ? [styles.liveOn, 'Ao vivo']
      : live.status === 'error'
        ? [styles.liveOff, 'Sem atualização ao vivo']
        : live.status === 'connecting'
          ? [styles.liveWait, live.connectedOnce ? 'Reconectando…' : 'Conectando…']
          : [styles.liveWait, 'Aguardando…'];
  return (
    <div className={`${styles.live} ${tone}`} role="status" aria-label={`Atualização ao vivo: ${text}`}>
      <span className={styles.liveDot} aria-hidden="true" />
      <span>{text}</span>
      {live.status === 'error' ? (
        <button type="button" className="btn btn-secondary btn-small" onClick={live.reconnect}>
          Reconectar
        </button>
      ) : null}
    </div>
  );
}

function DashboardContent({ data, storeId, storeName }: { data: Summary; storeId: string | null; storeName?: string }) {
  const byStatus = new Map(data.requestsByStatus.map((s) => [s.status, s]));
  const pendingItems = data.pendingByBuyer.reduce((sum, b) => sum + b.items, 0);
  const pendingValue = data.pendingByBuyer.reduce((sum, b) => sum + b.value, 0);

  return (
    <>
      <section aria-labelledby="kpi-title">
        <h2 id="kpi-title" className="section-title">
          Solicitações {storeName ? `— ${storeName}` : 'da rede'}
        </h2>
        <ul className={figures.kpiGrid}>
          {KPI_STATUSES.map((status) => {
            const row = byStatus.get(status);
            return (
              <li key={status} className={[figures.kpi, kpiTone[status]].filter(Boolean).join(' ')}>
                <span className={figures.kpiLabel}>{requestStatusLabels[status]}</span>
                <span className={figures.kpiValue}>{formatInteger(row?.count ?? 0)}</span>
                <span className={figures.kpiSub}>{formatMoney(row?.value ?? 0)}</span>
              </li>
            );
          })}
          <li className={`${figures.kpi} ${figures.kpiItems}`}>
            <span className={figures.kpiLabel}>Itens aguardando aprovação</span>
            <span className={figures.kpiValue}>{formatInteger(pendingItems)}</span>
            <span className={figures.kpiSub}>{formatMoney(pendingValue)}</span>
          </li>
        </ul>
      </section>

      <section aria-labelledby="charts-title">
        <h2 id="charts-title" className="section-title">
          Tendências
        </h2>
        <div className={styles.chartGrid}>
          <DailyRequestsChart daily={data.daily} />
          <StoreValueChart stores={data.stores} />
          <BuyerApprovalChart buyers={data.approvalByBuyer} />
        </div>
      </section>

      <section aria-labelledby="recent-title">
        <h2 id="recent-title" className="section-title">
          Solicitações recentes
        </h2>
        <RecentRequests storeId={storeId} first={data.recent} />
      </section>

      <div className={styles.dashboardColumns}>
        <section aria-labelledby="pending-title">
          <h2 id="pending-title" className="section-title">
            Aprovações pendentes por comprador
          </h2>
          {data.pendingByBuyer.length === 0 ? (
            <EmptyState>Nenhum item esperando aprovação.</EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="data-table" role="table">
                <caption className="sr-only">Aprovações pendentes por comprador</caption>
                <thead role="rowgroup">
                  <tr role="row">
                    <th scope="col" role="columnheader">Comprador</th>
                    <th scope="col" role="columnheader" className="num">Itens</th>
                    <th scope="col" role="columnheader" className="num">Valor</th>
                  </tr>
                </thead>
                <tbody role="rowgroup">
                  {data.pendingByBuyer.map((b) => (
                    <tr role="row" key={b.buyerId ?? 'none'}>
                      <th scope="row" role="rowheader" data-label="Comprador">
                        {b.buyerName ?? 'Sem comprador definido'}
                      </th>
                      <td role="cell" data-label="Itens" className="num">
                        {formatInteger(b.items)}
                      </td>
                      <td role="cell" data-label="Valor" className="num">
                        {formatMoney(b.value)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        {data.queues ? <DashboardQueues queues={data.queues} /> : null}
      </div>

      <section aria-labelledby="stores-title">
        <h2 id="stores-title" className="section-title">
          Por loja
        </h2>
        {data.stores.length === 0 ? (
          <EmptyState>Nenhuma loja ativa.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className={`data-table ${styles.wideLabels}`} role="table">
              <caption className="sr-only">Indicadores por loja</caption>
              <thead role="rowgroup">
                <tr role="row">
                  <th scope="col" role="columnheader">Loja</th>
                  <th scope="col" role="columnheader" className="num">Solicitado (30 dias)</th>
                  <th scope="col" role="columnheader">Inventários</th>
                  <th scope="col" role="columnheader">Último inventário</th>
                  <th scope="col" role="columnheader" className="num">Divergência</th>
                  <th scope="col" role="columnheader">A receber</th>
                  <th scope="col" role="columnheader">Conformidade</th>
                </tr>
              </thead>
              <tbody role="rowgroup">
                {data.stores.map((s) => (
                  <tr role="row" key={s.storeId}>
                    <th scope="row" role="rowheader" data-label="Loja">
                      {s.storeName}
                    </th>
                    <td role="cell" data-label="Solicitado (30 dias)" className="num">
                      {formatMoney(s.requestsValue30d)}
                    </td>
                    <td role="cell" data-label="Inventários">
                      {plural(s.inventory.open, 'aberto', 'abertos')}
                      <span className="block muted">{plural(s.inventory.finalized, 'finalizado', 'finalizados')}</span>
                    </td>
                    <td role="cell" data-label="Último inventário">{formatDateTime(s.inventory.lastFinalizedAt)}</td>
                    <td role="cell" data-label="Divergência" className="num">
                      {formatMoney(s.inventory.varianceValue)}
                    </td>
                    <td role="cell" data-label="A receber">
                      {plural(s.receiving.itemsToReceive, 'item', 'itens')}
                      <span className="block muted">
                        {plural(s.receiving.requestsToReceive, 'pedido', 'pedidos')} · {plural(s.receiving.openReceipts, 'entrega em conferência', 'entregas em conferência')}
                      </span>
                    </td>
                    <td role="cell" data-label="Conformidade">
                      <ComplianceCell figures={s.compliance} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/** The operators' figures (admins only): what waits or failed in the background queues, with a way to act on it. */
function DashboardQueues({ queues }: { queues: { deadLetters: number; notificationsPending: number; notificationsFailed: number } }) {
  return (
    <section aria-labelledby="queues-title">
      <h2 id="queues-title" className="section-title">
        Filas
      </h2>
      <dl className={figures.figureList}>
        <div className={queues.deadLetters > 0 ? figures.figureAlert : undefined}>
          <dt>Tarefas com erro</dt>
          <dd>{formatInteger(queues.deadLetters)}</dd>
        </div>
        <div>
          <dt>Notificações aguardando envio</dt>
          <dd>{formatInteger(queues.notificationsPending)}</dd>
        </div>
        <div className={queues.notificationsFailed > 0 ? figures.figureAlert : undefined}>
          <dt>Notificações que falharam</dt>
          <dd>{formatInteger(queues.notificationsFailed)}</dd>
        </div>
      </dl>
      {queues.deadLetters > 0 ? (
        <p>
          <Link className="btn btn-secondary" href="/admin/dead-letters">
            Ver tarefas com erro
          </Link>
        </p>
      ) : null}
    </section>
  );
}

/** "1 aberto", "3 abertos", "0 abertos". */
function plural(n: number, one: string, many: string): string {
  return `${formatInteger(n)} ${n === 1 ? one : many}`;
}

/** A store's compliance: what is due and late now, what waits for a manager, and the last 30 days. */
function ComplianceCell({ figures: c }: { figures: RouterOutputs['dashboard']['summary']['stores'][number]['compliance'] }) {
  if (c.due30d + c.dueToday + c.overdue + c.awaitingReview + c.passed30d + c.failed30d === 0) return <>Nenhuma tarefa</>;
  return (
    <>
      {c.passRate === null ? 'Sem avaliações' : `${formatPercent(c.passRate)} aprovadas`}
      <span className="block muted">
        {plural(c.dueToday, 'para hoje', 'para hoje')} · {plural(c.overdue, 'atrasada', 'atrasadas')}
        {c.awaitingReview > 0 ? ` · ${plural(c.awaitingReview, 'aguarda revisão', 'aguardam revisão')}` : ''}
      </span>
      <span className="block muted">
        30 dias: {c.onTime30d} de {c.due30d} no prazo
      </span>
    </>
  );
}
