'use client';

import { api, type RouterOutputs } from '~/lib/trpc/react';
import { ErrorAlert, Loading } from '../ui/feedback';
import { formatDateTime, formatTime } from '../ui/format';
import { formatDuration } from '../admin/operations-labels';
import styles from './status.module.css';

type Status = RouterOutputs['status']['get'];
type State = Status['status'];

const REFRESH_MS = 30_000;
const bannerText: Record<State, string> = {
  operational: 'Todos os serviços funcionando',
  degraded: 'Alguns serviços com problemas',
  down: 'Parte do sistema fora do ar',
};
const stateText: Record<State, string> = { operational: 'Funcionando', degraded: 'Com problemas', down: 'Fora do ar' };
const stateClass: Record<State, string | undefined> = { operational: styles.stateOperational, degraded: styles.stateDegraded, down: styles.stateDown };
const availabilityFormat = new Intl.NumberFormat('pt-BR', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The public status page: components, 30 days of availability, incidents with their duration. */
export function StatusPage() {
  const status = api.status.get.useQuery(undefined, { refetchInterval: REFRESH_MS });
  return (
    <main className={styles.page}>
      <p className={styles.brand}>MyInventory</p>
      <h1>Estado do sistema</h1>
      {status.isPending ? (
        <Loading label="Verificando os serviços…" />
      ) : status.isError && !status.data ? (
        <ErrorAlert error={status.error} title="Não foi possível verificar o estado agora: o servidor pode estar fora do ar" onRetry={() => void status.refetch()} />
      ) : (
        <StatusBody status={status.data} checkedAt={status.dataUpdatedAt} />
      )}
    </main>
  );
}

function StatusBody({ status, checkedAt }: { status: Status; checkedAt: number }) {
  const componentName = new Map(status.components.map((c) => [c.id as string, c.name]));
  return (
    <>
      <p className={`${styles.banner} ${styles[status.status]}`} role="status">
        {bannerText[status.status]}
      </p>
      <p className="muted">Verificado às {formatTime(new Date(checkedAt))}; atualiza sozinho a cada 30 segundos.</p>
      <section aria-labelledby="status-components">
        <h2 id="status-components" className="section-title">
          Serviços
        </h2>
        <ul className={styles.components}>
          {status.components.map((c) => (
            <li key={c.id} className={styles.component}>
              <span className={styles.componentName}>{c.name}</span>
              <span>
                <span className={`${styles.state} ${stateClass[c.status]}`}>{stateText[c.status]}</span>{' '}
                <span className={styles.availability}>· {availabilityFormat.format(c.availability)} no ar em {status.days} dias</span>
              </span>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="status-incidents">
        <h2 id="status-incidents" className="section-title">
          Ocorrências dos últimos {status.days} dias
        </h2>
        {status.incidents.length === 0 ? (
          <p className="muted">Nenhuma ocorrência registrada.</p>
        ) : (
          <ul className={styles.incidents}>
            {status.incidents.map((i) => (
              <li key={i.id} className={`${styles.incident} ${i.resolvedAt ? '' : styles.incidentOpen}`}>
                <strong>{i.title}</strong>
                <p className="muted">
                  {componentName.get(i.component) ?? 'Sistema'} · {i.severity === 'down' ? 'fora do ar' : 'com problemas'} · início {formatDateTime(i.startedAt)}
                  {i.resolvedAt ? ` · resolvido ${formatDateTime(i.resolvedAt)} (duração ${formatDuration(i.durationSeconds)})` : ' · em andamento'}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
