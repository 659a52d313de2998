'use client';

import type { ReactNode } from 'react';
import { Notice } from '../ui/feedback';
import { formatInteger, formatPercent, formatQuantity } from '../ui/format';
import { formatDuration, queueLabel } from './operations-labels';
import { failureRate, QueueThroughputChart, recentThroughput, type QueueMinute } from './queue-throughput-chart';
import figures from '../ui/figures.module.css';

/** The queue pages of an org's admin and of the platform operator: the same figures, over different rows. */

export const QUEUES_REFRESH_MS = 10_000;
/** The relay publishes within seconds; a minute behind means it is stuck or cannot keep up. */
const OUTBOX_LAG_WARNING_SECONDS = 60;

export function OutboxLag({ outbox, description }: { outbox: { pending: number; oldestSeconds: number | null }; description: string }) {
  const late = outbox.oldestSeconds != null && outbox.oldestSeconds > OUTBOX_LAG_WARNING_SECONDS;
  return (
    <section aria-labelledby="outbox-title">
      <h2 id="outbox-title" className="section-title">
        Eventos pendentes <span className="term">outbox</span>
      </h2>
      <p className="muted">{description}</p>
      {late ? (
        <Notice tone="warning">
          <p className="alert-title">Os eventos estão atrasados</p>
          <p>
            O evento mais antigo espera há {formatDuration(outbox.oldestSeconds)}. O publicador pode estar parado ou sobrecarregado; confira os
            processos de segundo plano (workers) e o Redis.
          </p>
        </Notice>
      ) : null}
      <dl className={figures.figureList}>
        <div>
          <dt>Eventos esperando</dt>
          <dd>{formatInteger(outbox.pending)}</dd>
        </div>
        <div className={late ? figures.figureAlert : undefined}>
          <dt>Espera do mais antigo</dt>
          <dd>{outbox.oldestSeconds == null ? 'Nenhum esperando' : formatDuration(outbox.oldestSeconds)}</dd>
        </div>
      </dl>
    </section>
  );
}

/** What a queue that is idle on purpose says instead of its figures (the server's `off` reason). */
const offNotices: Record<string, string> = {
  push_not_configured:
    'As notificações push estão desligadas nesta instalação (nenhum projeto do Firebase configurado), então esta fila fica vazia e não precisa de processo. Os avisos continuam aparecendo no sino do aplicativo.',
};

/** One queue's section: its name, then its figures, why it is idle on purpose, or why they could not be read. */
export function QueueSection({ name, off, unavailable, children }: { name: string; off?: string | null; unavailable?: string | null; children: ReactNode }) {
  const titleId = `queue-${name}-title`;
  return (
    <section aria-labelledby={titleId}>
      <h2 id={titleId} className="section-title">
        {queueLabel(name)} <span className="muted mono">{name}</span>
      </h2>
      {off ? (
        <Notice tone="info">
          <p className="alert-title">Desligada</p>
          <p>{offNotices[off] ?? off}</p>
        </Notice>
      ) : unavailable != null ? (
        <div className="alert alert-error" role="alert">
          <p className="alert-title">Fila indisponível</p>
          <p>{unavailable || 'Não foi possível ler esta fila.'}</p>
        </div>
      ) : (
        children
      )}
    </section>
  );
}

export type QueueCount = { key: string; label: string; value: number; alert?: boolean };

/** A queue's counts as tiles, its throughput over the last 5 minutes, its failure rate and its last hour's chart. */
export function QueueFigures({ name, counts, minutes }: { name: string; counts: QueueCount[]; minutes: QueueMinute[] }) {
  const label = queueLabel(name);
  const throughput = recentThroughput(minutes);
  const lastHourFailures = failureRate(minutes);
  return (
    <>
      <ul className={figures.kpiGrid} aria-label={`Tarefas da fila ${label}`}>
        {counts.map((count) => (
          <li key={count.key} className={count.alert ? `${figures.kpi} ${figures.kpiRejected}` : figures.kpi}>
            <span className={figures.kpiLabel}>{count.label}</span>
            <span className={figures.kpiValue}>{formatInteger(count.value)}</span>
          </li>
        ))}
        <li className={`${figures.kpi} ${figures.kpiItems}`}>
          <span className={figures.kpiLabel}>Vazão</span>
          <span className={figures.kpiValue}>{throughput == null ? '—' : formatQuantity(Math.round(throughput * 10) / 10)}</span>
          <span className={`${figures.kpiSub} muted`}>{throughput == null ? 'sem dados ainda' : 'tarefas/min, média de 5 min'}</span>
        </li>
      </ul>
      <p className="muted">
        Taxa de falha na última hora: <strong>{lastHourFailures == null ? 'sem dados ainda' : formatPercent(lastHourFailures)}</strong>
      </p>
      <QueueThroughputChart queueLabel={label} minutes={minutes} />
    </>
  );
}

export function RefreshButton({ refetch, fetching }: { refetch: () => void; fetching: boolean }) {
  return (
    <button type="button" className="btn btn-secondary" onClick={refetch} disabled={fetching}>
      {fetching ? 'Atualizando…' : 'Atualizar agora'}
    </button>
  );
}
