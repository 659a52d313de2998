'use client';

import { api, type RouterOutputs } from '~/lib/trpc/react';
import { ErrorAlert, Loading } from '../ui/feedback';
import { Figure, FigureSection } from '../ui/figure-list';
import { formatTime } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import { IntegrationFigures } from './integration-figures';
import { LocalHttpsSection } from './local-https';
import { ScoringFigures } from './scoring-figures';
import { ServiceQuality } from './service-quality';
import { RefreshButton } from './queue-figures';
import figures from '../ui/figures.module.css';

type ServiceStatus = RouterOutputs['admin']['system']['stats'];

const REFRESH_MS = 10_000;

export const transportLabels: Record<ServiceStatus['liveTransport'], string> = { redis: 'Redis pub/sub', postgres: 'PostgreSQL LISTEN/NOTIFY' };

/** Whether the services the org's screens rely on work. The process's figures count every org's work: the platform operator's. */
export function SystemAdmin() {
  const stats = api.admin.system.stats.useQuery(undefined, { refetchInterval: REFRESH_MS });
  const quality = api.admin.system.quality.useQuery(undefined, { refetchInterval: REFRESH_MS });

  return (
    <>
      <PageHeader
        title="Sistema"
        description="Se os serviços de que as telas da sua rede dependem estão funcionando. Atualiza sozinho a cada 10 segundos."
        actions={<RefreshButton refetch={() => void stats.refetch()} fetching={stats.isFetching} />}
      />
      {stats.isPending ? (
        <Loading label="Carregando o estado do sistema…" />
      ) : stats.isError && !stats.data ? (
        <ErrorAlert error={stats.error} title="Não foi possível carregar o estado do sistema" onRetry={() => void stats.refetch()} />
      ) : (
        <>
          <p className={figures.meta} role="status">
            Atualizado às {formatTime(new Date(stats.dataUpdatedAt))}
          </p>
          {stats.isError ? <ErrorAlert error={stats.error} title="Não foi possível atualizar; o estado abaixo é o último lido" /> : null}
          <FigureSection id="system-services" title="Serviços">
            <Figure label="Cache" alert={!stats.data.cache.available}>
              {stats.data.cache.available ? 'Disponível' : 'Indisponível — as consultas vão direto ao banco (mais lentas, mas funcionam)'}
            </Figure>
            <Figure label="Atualização ao vivo">{transportLabels[stats.data.liveTransport] ?? stats.data.liveTransport}</Figure>
          </FigureSection>
          <IntegrationFigures integrations={stats.data.integrations} />
          <LocalHttpsSection />
          {quality.data ? (
            <ServiceQuality quality={quality.data} />
          ) : quality.isError ? (
            <ErrorAlert error={quality.error} title="Não foi possível carregar o desempenho do sistema" onRetry={() => void quality.refetch()} />
          ) : (
            <Loading label="Carregando o desempenho…" />
          )}
          <ScoringFigures />
          <p className="muted">
            Tempos e taxas valem para o serviço inteiro (todas as redes). Contagens e a memória do servidor ficam com o operador da plataforma. A
            página pública <a href="/status">/status</a> mostra o estado dos serviços a quem não entrou no sistema.
          </p>
        </>
      )}
    </>
  );
}
