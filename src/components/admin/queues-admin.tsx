'use client';

import { api, type RouterOutputs } from '~/lib/trpc/react';
import { ErrorAlert, Loading, Notice } from '../ui/feedback';
import { formatInteger, formatPercent, formatQuantity, formatTime } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import { formatDuration, queueLabel } from './operations-labels';
import { failureRate, QueueThroughputChart, recentThroughput } from './queue-throughput-chart';
import figures from '../ui/figures.module.css';

type QueueStats = RouterOutputs['admin']['queues']['stats'];
type QueueEntry = QueueStats['queues'][number];

const REFRESH_MS = 10_000;
/** The relay publishes within seconds; a minute behind means it is stuck or cannot keep up. */
const OUTBOX_LAG_WARNING_SECONDS = 60;
/** Bull Board is served by our HTTP server at this path, before Next.js sees the request. */
const BULL_BOARD_PATH = '/admin/queues';

const backendLabels: Record<QueueStats['backend'], string> = { redis: 'Redis', postgres: 'PostgreSQL' };

const countLabels = [
  ['waiting', 'Aguardando'],
  ['active', 'Em execução'],
  ['delayed', 'Agendados'],
  ['completed', 'Concluídos'],
  ['failed', 'Com falha'],
] as const;

export function QueuesAdmin() {
  const stats = api.admin.queues.stats.useQuery(undefined, { refetchInterval: REFRESH_MS });

  return (
    <>
      <PageHeader
        title="Filas"
        description="Jobs de cada fila e eventos esperando publicação. Atualiza sozinho a cada 10 segundos."
        actions={
          <>
            <button type="button" className="btn btn-secondary" onClick={() => void stats.refetch()} disabled={stats.isFetching}>
              {stats.isFetching ? 'Atualizando…' : 'Atualizar agora'}
            </button>
            <a href={BULL_BOARD_PATH} className="btn btn-secondary">
              Abrir o Bull Board
            </a>
          </>
        }
      />

      {stats.isPending ? (
        <Loading label="Carregando as filas…" />
      ) : stats.isError && !stats.data ? (
        <ErrorAlert error={stats.error} title="Não foi possível carregar as filas" onRetry={() => void stats.refetch()} />
      ) : (
        <>
          <p className={figures.meta} role="status">
            Armazenamento das filas: <strong>{backendLabels[stats.data.backend] ?? stats.data.backend}</strong> · atualizado às {formatTime(new Date(stats.dataUpdatedAt))}
          </p>
          {stats.isError ? <ErrorAlert error={stats.error} title={`Não foi possível atualizar; os números são de ${formatTime(new Date(stats.dataUpdatedAt))}`} /> : null}
          <OutboxLag outbox={stats.data.outbox} />
          {stats.data.queues.map((queue) => (
            <QueueSection key={queue.name} queue={queue} />
          ))}
        </>
      )}
    </>
  );
}

function OutboxLag({ outbox }: { outbox: QueueStats['outbox'] }) {
  const late = outbox.oldestSeconds != null && outbox.oldestSeconds > OUTBOX_LAG_WARNING_SECONDS;
  return (
    <section aria-labelledby="outbox-title">
      <h2 id="outbox-title" className="section-title">
        Atraso do outbox
      </h2>
      <p className="muted">Eventos gravados que ainda não foram entregues às filas.</p>
      {late ? (
        <Notice tone="warning">
          <p className="alert-title">O outbox está atrasado</p>
          <p>
            O evento mais antigo espera há {formatDuration(outbox.oldestSeconds)}. O publicador pode estar parado ou sobrecarregado; confira os
            workers e o Redis.
          </p>
        </Notice>
      ) : null}
      <dl className={figures.figureList}>
        <div>
          <dt>Eventos pendentes</dt>
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

function QueueSection({ queue }: { queue: QueueEntry }) {
  const label = queueLabel(queue.name);
  const titleId = `queue-${queue.name}-title`;
  return (
    <section aria-labelledby={titleId}>
      <h2 id={titleId} className="section-title">
        {label} <span className="muted mono">{queue.name}</span>
      </h2>
      {!queue.available || !queue.counts || !queue.perMinute ? (
        <div className="alert alert-error" role="alert">
          <p className="alert-title">Fila indisponível</p>
          <p>{queue.error ?? 'Não foi possível ler esta fila.'}</p>
        </div>
      ) : (
        <QueueFigures label={label} counts={queue.counts} minutes={queue.perMinute} />
      )}
    </section>
  );
}

function QueueFigures({
  label,
  counts,
  minutes,
}: {
  label: string;
  counts: NonNullable<QueueEntry['counts']>;
  minutes: NonNullable<QueueEntry['perMinute']>;
}) {
  const throughput = recentThroughput(minutes);
  const lastHourFailures = failureRate(minutes);
  return (
    <>
      <ul className={figures.kpiGrid} aria-label={`Jobs da fila ${label}`}>
        {countLabels.map(([key, text]) => (
          <li key={key} className={key === 'failed' && (counts[key] ?? 0) > 0 ? `${figures.kpi} ${figures.kpiRejected}` : figures.kpi}>
            <span className={figures.kpiLabel}>{text}</span>
            <span className={figures.kpiValue}>{formatInteger(counts[key] ?? 0)}</span>
          </li>
        ))}
        <li className={`${figures.kpi} ${figures.kpiItems}`}>
          <span className={figures.kpiLabel}>Vazão</span>
          <span className={figures.kpiValue}>{throughput == null ? '—' : formatQuantity(Math.round(throughput * 10) / 10)}</span>
          <span className={`${figures.kpiSub} muted`}>{throughput == null ? 'sem dados ainda' : 'jobs/min, média de 5 min'}</span>
        </li>
      </ul>
      <p className="muted">
        Taxa de falha na última hora: <strong>{lastHourFailures == null ? 'sem dados ainda' : formatPercent(lastHourFailures)}</strong>
      </p>
      <QueueThroughputChart queueLabel={label} minutes={minutes} />
    </>
  );
}
