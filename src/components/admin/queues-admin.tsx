'use client';

import Link from 'next/link';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { ErrorAlert, Loading } from '../ui/feedback';
import { formatTime } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import { OutboxLag, QueueFigures, QueueSection, QUEUES_REFRESH_MS, RefreshButton } from './queue-figures';
import figures from '../ui/figures.module.css';

type OrgQueue = RouterOutputs['admin']['queues']['stats']['queues'][number];

/** The org's own queue activity (its rows only); BullMQ's counters and Bull Board cover every org and are the platform operator's. */
export function QueuesAdmin() {
  const stats = api.admin.queues.stats.useQuery(undefined, { refetchInterval: QUEUES_REFRESH_MS });

  return (
    <>
      <PageHeader
        title="Filas"
        term="filas de tarefas · BullMQ"
        description="O trabalho da sua rede em cada fila e os eventos esperando publicação. Atualiza sozinho a cada 10 segundos."
        actions={<RefreshButton refetch={() => void stats.refetch()} fetching={stats.isFetching} />}
      />

      {stats.isPending ? (
        <Loading label="Carregando as filas…" />
      ) : stats.isError && !stats.data ? (
        <ErrorAlert error={stats.error} title="Não foi possível carregar as filas" onRetry={() => void stats.refetch()} />
      ) : (
        <>
          <p className={figures.meta} role="status">
            Atualizado às {formatTime(new Date(stats.dataUpdatedAt))}
          </p>
          {stats.isError ? <ErrorAlert error={stats.error} title={`Não foi possível atualizar; os números são de ${formatTime(new Date(stats.dataUpdatedAt))}`} /> : null}
          <OutboxLag outbox={stats.data.outbox} description="Eventos da sua rede gravados que ainda não foram entregues às filas." />
          {stats.data.queues.map((queue) => (
            <QueueSection key={queue.name} name={queue.name} off={queue.off}>
              <QueueFigures name={queue.name} counts={orgCounts(queue)} minutes={queue.perMinute} />
              {queue.counts.deadLetters > 0 ? (
                <p>
                  <Link href="/admin/dead-letters">Ver as tarefas com erro desta fila</Link>
                </p>
              ) : null}
            </QueueSection>
          ))}
          <p className="muted">As filas são compartilhadas por todas as redes: os números acima contam só os registros da sua.</p>
        </>
      )}
    </>
  );
}

const orgCounts = ({ counts }: OrgQueue) => [
  { key: 'waiting', label: 'Aguardando', value: counts.waiting },
  { key: 'completed', label: 'Concluídos (1 h)', value: counts.completedLastHour },
  { key: 'failed', label: 'Com falha (1 h)', value: counts.failedLastHour, alert: counts.failedLastHour > 0 },
  { key: 'dead-letters', label: 'Na fila de erros', value: counts.deadLetters, alert: counts.deadLetters > 0 },
];
