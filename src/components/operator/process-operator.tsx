'use client';

import { api, type RouterOutputs } from '~/lib/trpc/react';
import { formatDuration } from '../admin/operations-labels';
import { RefreshButton } from '../admin/queue-figures';
import { IntegrationFigures } from '../admin/integration-figures';
import { ClusterFigures } from '../admin/service-quality';
import { transportLabels } from '../admin/system-admin';
import { ErrorAlert, Loading } from '../ui/feedback';
import { Figure, FigureSection } from '../ui/figure-list';
import { formatInteger, formatPercent, formatTime } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import figures from '../ui/figures.module.css';

type ProcessStats = RouterOutputs['operator']['system']['stats'];

const REFRESH_MS = 10_000;

const cacheBackendLabels: Record<ProcessStats['cache']['backend'], string> = { redis: 'Redis', memory: 'Memória do processo' };
const redisKindLabels: Record<ProcessStats['redis'], string> = { upstash: 'Upstash (HTTP)', ioredis: 'Redis (TCP)', none: 'Sem Redis' };

/** A rate over no lookups at all is not 0 %: there is nothing to measure yet. */
function rateOrPending(rate: number, lookups: number): string {
  return lookups === 0 ? '—' : formatPercent(rate);
}

/** This server process's figures, every org's work together. */
export function ProcessOperator() {
  const stats = api.operator.system.stats.useQuery(undefined, { refetchInterval: REFRESH_MS });
  const cluster = api.operator.system.cluster.useQuery(undefined, { refetchInterval: REFRESH_MS });

  return (
    <>
      <PageHeader
        title="Processo"
        description="O cluster na última hora (todas as instâncias) e, abaixo, os caches e serviços deste processo desde que ele iniciou, com o trabalho de todas as redes. Atualiza sozinho a cada 10 segundos."
        actions={<RefreshButton refetch={() => void stats.refetch()} fetching={stats.isFetching} />}
      />
      {stats.isPending ? (
        <Loading label="Carregando os números do processo…" />
      ) : stats.isError && !stats.data ? (
        <ErrorAlert error={stats.error} title="Não foi possível carregar os números do processo" onRetry={() => void stats.refetch()} />
      ) : (
        <>
          <p className={figures.meta} role="status">
            Atualizado às {formatTime(new Date(stats.dataUpdatedAt))}
          </p>
          {stats.isError ? <ErrorAlert error={stats.error} title="Não foi possível atualizar; os números abaixo são os últimos lidos" /> : null}
          {cluster.data ? (
            <ClusterFigures cluster={cluster.data} />
          ) : cluster.isError ? (
            <ErrorAlert error={cluster.error} title="Não foi possível carregar os números do cluster" onRetry={() => void cluster.refetch()} />
          ) : (
            <Loading label="Carregando os números do cluster…" />
          )}
          <h2 className="section-title">Este processo</h2>
          <ProcessFigures stats={stats.data} />
        </>
      )}
    </>
  );
}

function ProcessFigures({ stats }: { stats: ProcessStats }) {
  const { cache, dashboardCache } = stats;
  const cacheLookups = cache.hits + cache.misses;
  const dashboardLookups = dashboardCache.fresh + dashboardCache.stale + dashboardCache.rebuilt;
  return (
    <>
      <FigureSection id="process-cache" title="Cache">
        <Figure label="Armazenamento">{cacheBackendLabels[cache.backend] ?? cache.backend}</Figure>
        <Figure label="Disponível" alert={!cache.available}>
          {cache.available ? 'Sim' : 'Não — as consultas vão direto ao banco'}
        </Figure>
        <Figure label="Taxa de acerto">{rateOrPending(cache.hitRate, cacheLookups)}</Figure>
        <Figure label="Acertos">{formatInteger(cache.hits)}</Figure>
        <Figure label="Faltas">{formatInteger(cache.misses)}</Figure>
        <Figure label="Erros" alert={cache.errors > 0}>
          {formatInteger(cache.errors)}
        </Figure>
      </FigureSection>

      <FigureSection id="process-dashboard-cache" title="Cache do painel">
        <Figure label="Taxa de acerto do painel">{rateOrPending(dashboardCache.hitRate, dashboardLookups)}</Figure>
        <Figure label="Servidos atualizados">{formatInteger(dashboardCache.fresh)}</Figure>
        <Figure label="Servidos antigos (revalidando)">{formatInteger(dashboardCache.stale)}</Figure>
        <Figure label="Recalculados">{formatInteger(dashboardCache.rebuilt)}</Figure>
      </FigureSection>

      <FigureSection id="process-services" title="Serviços">
        <Figure label="Redis">{redisKindLabels[stats.redis] ?? stats.redis}</Figure>
        <Figure label="Tempo real">{transportLabels[stats.liveTransport] ?? stats.liveTransport}</Figure>
        <Figure label="Banco de dados">{stats.embeddedDatabase ? 'PostgreSQL embutido (workers neste processo)' : 'PostgreSQL externo'}</Figure>
      </FigureSection>

      <IntegrationFigures integrations={stats.integrations} />

      <FigureSection id="process-process" title="Processo">
        <Figure label="No ar há">{formatDuration(stats.process.uptimeSeconds)}</Figure>
        <Figure label="Memória (RSS)">{formatInteger(stats.process.rssMb)} MB</Figure>
        <Figure label="PID">{stats.process.pid}</Figure>
      </FigureSection>
    </>
  );
}
