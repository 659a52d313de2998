'use client';

import { api, type RouterOutputs } from '~/lib/trpc/react';
import { OutboxLag, QueueFigures, QueueSection, QUEUES_REFRESH_MS, RefreshButton } from '../admin/queue-figures';
import { ErrorAlert, Loading } from '../ui/feedback';
import { formatTime } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import figures from '../ui/figures.module.css';

type QueueStats = RouterOutputs['operator']['queues']['stats'];
type QueueEntry = QueueStats['queues'][number];

/** Bull Board is served by our HTTP server at this path, before Next.js sees the request (the operator's only). */
export const BULL_BOARD_PATH = '/admin/queues';

const backendLabels: Record<QueueStats['backend'], string> = { redis: 'Redis', postgres: 'PostgreSQL' };

const countLabels = [
  ['waiting', 'Aguardando'],
  ['active', 'Em execução'],
  ['delayed', 'Agendados'],
  ['completed', 'Concluídos'],
  ['failed', 'Com falha'],
] as const;

/** Every org's queues as BullMQ counts them, and the way to Bull Board. */
export function QueuesOperator() {
  const stats = api.operator.queues.stats.useQuery(undefined, { refetchInterval: QUEUES_REFRESH_MS });

  return (
    <>
      <PageHeader
        title="Filas"
        description="Tarefas de todas as redes em cada fila e eventos esperando publicação. Atualiza sozinho a cada 10 segundos."
        actions={
          <>
            <RefreshButton refetch={() => void stats.refetch()} fetching={stats.isFetching} />
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
          <OutboxLag outbox={stats.data.outbox} description="Eventos de todas as redes gravados que ainda não foram entregues às filas." />
          {stats.data.queues.map((queue) => (
            <QueueSection key={queue.name} name={queue.name} off={queue.off} unavailable={!queue.available || !queue.counts || !queue.perMinute ? (queue.error ?? '') : null}>
              {queue.counts && queue.perMinute ? <QueueFigures name={queue.name} counts={bullCounts(queue.counts)} minutes={queue.perMinute} /> : null}
            </QueueSection>
          ))}
        </>
      )}
    </>
  );
}

const bullCounts = (counts: NonNullable<QueueEntry['counts']>) =>
  countLabels.map(([key, label]) => ({ key, label, value: counts[key] ?? 0, alert: key === 'failed' && (counts[key] ?? 0) > 0 }));
