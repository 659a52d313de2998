'use client';

import { useId } from 'react';
import { CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RouterOutputs } from '~/lib/trpc/react';
import { DataTable } from '../ui/data-table';
import { Figure, FigureSection } from '../ui/figure-list';
import { formatDateTime, formatInteger, formatPercent } from '../ui/format';
import { formatDuration } from './operations-labels';
import figures from '../ui/figures.module.css';

type Quality = RouterOutputs['admin']['system']['quality'];
type Cluster = RouterOutputs['operator']['system']['cluster'];
type Minute = { at: number; p50Ms: number | null; p99Ms: number | null; errorRate: number | null; cacheHitRate: number | null };
type Incident = { id: string; component: string; severity: 'degraded' | 'down'; title: string; startedAt: Date; detail?: Record<string, unknown> };

const AXIS_TICK = { fontSize: 13, fill: '#4f5d56' };
const clock = new Intl.DateTimeFormat('pt-BR', { hour: '2-digit', minute: '2-digit' });
const minuteLabel = (at: number) => clock.format(new Date(at));
export const formatMs = (ms: number | null | undefined) => (ms == null ? '—' : ms < 10 ? `${ms.toFixed(1).replace('.', ',')} ms` : `${formatInteger(Math.round(ms))} ms`);

/** The seed's targets (Part 7): the figures that miss them are marked. */
const TARGETS = { p99Ms: 2_000, errorRate: 0.005, cacheHitRate: 0.8 };

export const componentLabels: Record<string, string> = {
  api: 'Aplicativo e API',
  database: 'Banco de dados',
  cache: 'Cache',
  workers: 'Processamento em segundo plano',
  notifications: 'Notificações push',
  photos: 'Fotos dos produtos',
  compliance: 'Conferência das fotos de conformidade',
  internal: 'Operação interna',
};

/** Latency per minute (p50 and p99) over the last hour. */
export function LatencyChart({ minutes }: { minutes: Minute[] }) {
  const id = useId();
  const busy = minutes.filter((m) => m.p99Ms !== null);
  return (
    <figure className={figures.chartCard} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className={figures.chartTitle}>
        Tempo de resposta por minuto (p50 e p99)
      </h3>
      {busy.length === 0 ? (
        <p className={figures.chartEmpty}>Sem chamadas na última hora.</p>
      ) : (
        <div className={figures.chartBody}>
          <ResponsiveContainer width="100%" height={220}>
            <ComposedChart data={minutes} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#d5ddd9" />
              <XAxis dataKey="at" tickFormatter={(at: number) => minuteLabel(at)} tick={AXIS_TICK} minTickGap={24} />
              <YAxis tick={AXIS_TICK} width={56} tickFormatter={(v: number) => `${formatInteger(v)} ms`} />
              <Tooltip labelFormatter={(at) => minuteLabel(Number(at))} formatter={(value, name) => [formatMs(Number(value)), name]} />
              <Legend />
              <Line type="monotone" dataKey="p50Ms" name="p50" stroke="#0d7a4c" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
              <Line type="monotone" dataKey="p99Ms" name="p99" stroke="#b42318" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}

/** Error rate and cache hit rate per minute over the last hour. */
export function RatesChart({ minutes }: { minutes: Minute[] }) {
  const id = useId();
  const busy = minutes.filter((m) => m.errorRate !== null || m.cacheHitRate !== null);
  return (
    <figure className={figures.chartCard} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className={figures.chartTitle}>
        Taxa de erro e acerto do cache por minuto
      </h3>
      {busy.length === 0 ? (
        <p className={figures.chartEmpty}>Sem chamadas na última hora.</p>
      ) : (
        <div className={figures.chartBody}>
          <ResponsiveContainer width="100%" height={220}>
            <ComposedChart data={minutes} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#d5ddd9" />
              <XAxis dataKey="at" tickFormatter={(at: number) => minuteLabel(at)} tick={AXIS_TICK} minTickGap={24} />
              <YAxis domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v)} tick={AXIS_TICK} width={52} />
              <Tooltip labelFormatter={(at) => minuteLabel(Number(at))} formatter={(value, name) => [formatPercent(Number(value)), name]} />
              <Legend />
              <Line type="monotone" dataKey="errorRate" name="Taxa de erro" stroke="#b42318" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
              <Line type="monotone" dataKey="cacheHitRate" name="Acerto do cache" stroke="#1d4f91" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}

export function OpenIncidents({ incidents }: { incidents: Incident[] }) {
  return (
    <FigureSection id="system-incidents" title="Problemas agora">
      {incidents.length === 0 ? (
        <Figure label="Situação">Nenhum problema detectado</Figure>
      ) : (
        incidents.map((i) => (
          <Figure key={i.id} label={componentLabels[i.component] ?? i.component} alert>
            {i.title} — desde {formatDateTime(i.startedAt)} ({i.severity === 'down' ? 'fora do ar' : 'com problemas'})
            {i.detail ? <code className={figures.meta}> {JSON.stringify(i.detail)}</code> : null}
          </Figure>
        ))
      )}
    </FigureSection>
  );
}

/** For an org's admin: the whole service's quality in the last hour, as rates and times (never counts). */
export function ServiceQuality({ quality }: { quality: Quality }) {
  const { totals } = quality;
  const slowest = [...quality.procedures].sort((a, b) => (b.p99Ms ?? 0) - (a.p99Ms ?? 0)).slice(0, 15);
  return (
    <>
      <OpenIncidents incidents={quality.incidents} />
      <FigureSection id="system-quality" title="Desempenho na última hora (todas as instâncias)">
        <Figure label="Tempo de resposta p50">{formatMs(totals.p50Ms)}</Figure>
        <Figure label="Tempo de resposta p99" alert={(totals.p99Ms ?? 0) > TARGETS.p99Ms}>
          {formatMs(totals.p99Ms)}
        </Figure>
        <Figure label="Taxa de erro" alert={(totals.errorRate ?? 0) > TARGETS.errorRate}>
          {formatPercent(totals.errorRate)}
        </Figure>
        <Figure label="Acerto do cache" alert={totals.cacheHitRate !== null && totals.cacheHitRate < TARGETS.cacheHitRate}>
          {formatPercent(totals.cacheHitRate)}
        </Figure>
        <Figure label="Atraso dos eventos" alert={quality.outboxLagSeconds > 30}>
          {quality.outboxLagSeconds === 0 ? 'Em dia' : formatDuration(quality.outboxLagSeconds)}
        </Figure>
        <Figure label="Filas de trabalho" alert={quality.backlog === 'behind'}>
          {quality.backlog === 'normal' ? 'Em dia' : quality.backlog === 'behind' ? 'Acumuladas — tarefas atrasadas' : 'Sem leitura agora'}
        </Figure>
      </FigureSection>
      <div className={figures.chartGrid}>
        <LatencyChart minutes={quality.minutes} />
        <RatesChart minutes={quality.minutes} />
      </div>
      <ProcedureTable rows={slowest} title="Operações mais lentas (p99, última hora)" />
    </>
  );
}

function ProcedureTable({ rows, title, withCalls }: { rows: { procedure: string; p50Ms: number | null; p99Ms: number | null; errorRate: number | null; calls?: number }[]; title: string; withCalls?: boolean }) {
  return (
    <section aria-labelledby="system-procedures">
      <h2 id="system-procedures" className="section-title">
        {title}
      </h2>
      {rows.length === 0 ? (
        <p className="muted">Nenhuma operação com chamadas suficientes na última hora para medir.</p>
      ) : (
        <DataTable caption={title} columns={['Operação', ...(withCalls ? ['Chamadas'] : []), 'p50', 'p99', 'Taxa de erro']}>
          {rows.map((r) => (
            <tr key={r.procedure} role="row">
              <td role="cell" data-label="Operação">
                <code>{r.procedure}</code>
              </td>
              {withCalls ? (
                <td role="cell" data-label="Chamadas">
                  {formatInteger(r.calls ?? 0)}
                </td>
              ) : null}
              <td role="cell" data-label="p50">
                {formatMs(r.p50Ms)}
              </td>
              <td role="cell" data-label="p99" className={(r.p99Ms ?? 0) > TARGETS.p99Ms ? figures.over : undefined}>
                {formatMs(r.p99Ms)}
              </td>
              <td role="cell" data-label="Taxa de erro" className={(r.errorRate ?? 0) > TARGETS.errorRate ? figures.over : undefined}>
                {formatPercent(r.errorRate)}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

const instanceStateLabels = { alive: 'Ativa', silent: 'Sem sinal', stopped: 'Parada' } as const;
const roleLabels = { app: 'Servidor', workers: 'Workers' } as const;

/** For the platform operator: the whole cluster, with counts, instances and queue depth. */
export function ClusterFigures({ cluster }: { cluster: Cluster }) {
  const { figures: f } = cluster;
  return (
    <>
      <OpenIncidents incidents={cluster.incidents} />
      <FigureSection id="cluster-totals" title="Última hora, todas as instâncias">
        <Figure label="Chamadas">{formatInteger(f.totals.calls)}</Figure>
        <Figure label="Tempo de resposta p50">{formatMs(f.totals.p50Ms)}</Figure>
        <Figure label="Tempo de resposta p99" alert={(f.totals.p99Ms ?? 0) > TARGETS.p99Ms}>
          {formatMs(f.totals.p99Ms)}
        </Figure>
        <Figure label="Erros (5xx)" alert={(f.totals.errorRate ?? 0) > TARGETS.errorRate}>
          {formatInteger(f.totals.errors)} ({formatPercent(f.totals.errorRate)})
        </Figure>
        <Figure label="Acerto do cache" alert={f.totals.cacheHitRate !== null && f.totals.cacheHitRate < TARGETS.cacheHitRate}>
          {formatPercent(f.totals.cacheHitRate)} de {formatInteger(f.totals.cacheHits + f.totals.cacheMisses)} leituras
        </Figure>
        <Figure label="Eventos não publicados" alert={(cluster.outbox.oldestSeconds ?? 0) > 30}>
          {formatInteger(cluster.outbox.pending)}
          {cluster.outbox.oldestSeconds ? ` (o mais antigo há ${formatDuration(cluster.outbox.oldestSeconds)})` : ''}
        </Figure>
        <Figure label="Números guardados em">{cluster.figureStore === 'redis' ? 'Redis' : 'PostgreSQL'}</Figure>
      </FigureSection>
      <FigureSection id="cluster-queues" title="Filas agora">
        {cluster.queues.map((q) => (
          <Figure key={q.name} label={q.name}>
            {q.waiting === null ? 'Sem leitura' : `${formatInteger(q.waiting)} esperando · ${formatInteger(q.active)} em execução · ${formatInteger(q.delayed)} adiadas`}
          </Figure>
        ))}
      </FigureSection>
      <div className={figures.chartGrid}>
        <LatencyChart minutes={f.minutes} />
        <RatesChart minutes={f.minutes} />
      </div>
      <ProcedureTable rows={f.procedures.slice(0, 30)} title="Operações (última hora, por número de chamadas)" withCalls />
      <section aria-labelledby="cluster-instances">
        <h2 id="cluster-instances" className="section-title">
          Instâncias
        </h2>
        <DataTable caption="Instâncias" columns={['Instância', 'Papel', 'Versão', 'Estado', 'Último sinal']}>
          {cluster.instances.map((i) => (
            <tr key={i.instance} role="row">
              <td role="cell" data-label="Instância">
                <code>{i.instance}</code>
              </td>
              <td role="cell" data-label="Papel">
                {roleLabels[i.role] ?? i.role}
              </td>
              <td role="cell" data-label="Versão">
                {i.version}
              </td>
              <td role="cell" data-label="Estado" className={i.state === 'silent' ? figures.over : undefined}>
                {instanceStateLabels[i.state]}
              </td>
              <td role="cell" data-label="Último sinal">
                {formatDateTime(i.beatAt)}
              </td>
            </tr>
          ))}
        </DataTable>
      </section>
    </>
  );
}
