'use client';

import type { ReactNode } from 'react';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { ErrorAlert, Loading } from '../ui/feedback';
import { formatInteger, formatPercent, formatTime } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import { formatDuration } from './operations-labels';
import figures from '../ui/figures.module.css';

type SystemStats = RouterOutputs['admin']['system']['stats'];

const REFRESH_MS = 10_000;

const cacheBackendLabels: Record<SystemStats['cache']['backend'], string> = { redis: 'Redis', memory: 'Memória do processo' };
const redisKindLabels: Record<SystemStats['redis'], string> = { upstash: 'Upstash (HTTP)', ioredis: 'Redis (TCP)', none: 'Sem Redis' };
const transportLabels: Record<SystemStats['liveTransport'], string> = { redis: 'Redis pub/sub', postgres: 'PostgreSQL LISTEN/NOTIFY' };

/** A rate over no lookups at all is not 0 %: there is nothing to measure yet. */
function rateOrPending(rate: number, lookups: number): string {
  return lookups === 0 ? '—' : formatPercent(rate);
}

export function SystemAdmin() {
  const stats = api.admin.system.stats.useQuery(undefined, { refetchInterval: REFRESH_MS });

  return (
    <>
      <PageHeader
        title="Sistema"
        description="Caches e serviços deste processo do servidor, desde que ele iniciou. Atualiza sozinho a cada 10 segundos."
        actions={
          <button type="button" className="btn btn-secondary" onClick={() => void stats.refetch()} disabled={stats.isFetching}>
            {stats.isFetching ? 'Atualizando…' : 'Atualizar agora'}
          </button>
        }
      />
      {stats.isPending ? (
        <Loading label="Carregando os números do sistema…" />
      ) : stats.isError && !stats.data ? (
        <ErrorAlert error={stats.error} title="Não foi possível carregar os números do sistema" onRetry={() => void stats.refetch()} />
      ) : (
        <>
          <p className={figures.meta} role="status">
            Atualizado às {formatTime(new Date(stats.dataUpdatedAt))}
          </p>
          {stats.isError ? <ErrorAlert error={stats.error} title="Não foi possível atualizar; os números abaixo são os últimos lidos" /> : null}
          <SystemFigures stats={stats.data} />
        </>
      )}
    </>
  );
}

function SystemFigures({ stats }: { stats: SystemStats }) {
  const { cache, dashboardCache } = stats;
  const cacheLookups = cache.hits + cache.misses;
  const dashboardLookups = dashboardCache.fresh + dashboardCache.stale + dashboardCache.rebuilt;
  return (
    <>
      <Section id="system-cache" title="Cache">
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
      </Section>

      <Section id="system-dashboard-cache" title="Cache do painel">
        <Figure label="Taxa de acerto do painel">{rateOrPending(dashboardCache.hitRate, dashboardLookups)}</Figure>
        <Figure label="Servidos atualizados">{formatInteger(dashboardCache.fresh)}</Figure>
        <Figure label="Servidos antigos (revalidando)">{formatInteger(dashboardCache.stale)}</Figure>
        <Figure label="Recalculados">{formatInteger(dashboardCache.rebuilt)}</Figure>
      </Section>

      <Section id="system-services" title="Serviços">
        <Figure label="Redis">{redisKindLabels[stats.redis] ?? stats.redis}</Figure>
        <Figure label="Tempo real">{transportLabels[stats.liveTransport] ?? stats.liveTransport}</Figure>
        <Figure label="Banco de dados">{stats.embeddedDatabase ? 'PostgreSQL embutido (workers neste processo)' : 'PostgreSQL externo'}</Figure>
      </Section>

      <Section id="system-process" title="Processo">
        <Figure label="No ar há">{formatDuration(stats.process.uptimeSeconds)}</Figure>
        <Figure label="Memória (RSS)">{formatInteger(stats.process.rssMb)} MB</Figure>
        <Figure label="PID">{stats.process.pid}</Figure>
      </Section>
    </>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id} className="section-title">
        {title}
      </h2>
      <dl className={figures.figureList}>{children}</dl>
    </section>
  );
}

function Figure({ label, alert, children }: { label: string; alert?: boolean; children: ReactNode }) {
  return (
    <div className={alert ? figures.figureAlert : undefined}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
