'use client';

import { useId } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { QueueMinute } from '~/server/queues/metrics';
import { formatInteger, formatPercent } from '../ui/format';
import figures from '../ui/figures.module.css';

export type { QueueMinute };

const COLORS = { completed: '#0d7a4c', failed: '#b42318', rate: '#1d4f91' };
const AXIS_TICK = { fontSize: 13, fill: '#4f5d56' };
const clock = new Intl.DateTimeFormat('pt-BR', { hour: '2-digit', minute: '2-digit' });
const minuteLabel = (at: number) => clock.format(new Date(at));

/** Jobs finished (completed or failed) per minute over the most recent `window` minutes there are. */
export function recentThroughput(minutes: QueueMinute[], window = 5): number | null {
  const recent = minutes.slice(-window);
  if (recent.length === 0) return null;
  return recent.reduce((sum, m) => sum + m.completed + m.failed, 0) / recent.length;
}

/** Failed share of every job finished in the minutes given; null when none finished. */
export function failureRate(minutes: QueueMinute[]): number | null {
  const done = minutes.reduce((sum, m) => sum + m.completed, 0);
  const lost = minutes.reduce((sum, m) => sum + m.failed, 0);
  return done + lost === 0 ? null : lost / (done + lost);
}

export function QueueThroughputChart({ queueLabel, minutes }: { queueLabel: string; minutes: QueueMinute[] }) {
  const id = useId();
  const title = `${queueLabel}: tarefas e falhas por minuto (última hora)`;
  const busy = minutes.filter((m) => m.completed || m.failed);
  const totals = { completed: busy.reduce((s, m) => s + m.completed, 0), failed: busy.reduce((s, m) => s + m.failed, 0) };
  const description = `Na última hora: ${formatInteger(totals.completed)} tarefas concluídas e ${formatInteger(totals.failed)} com falha.`;
  return (
    <figure className={figures.chartCard} aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`}>
      <h3 id={`${id}-title`} className={figures.chartTitle}>
        Tarefas e falhas por minuto
      </h3>
      <p id={`${id}-desc`} className="sr-only">
        {description}
      </p>
      {minutes.length === 0 ? (
        <p className={figures.chartEmpty}>Sem dados ainda: os números aparecem depois do primeiro minuto com um worker ativo.</p>
      ) : (
        <>
          <div className={figures.chartBody}>
            <ResponsiveContainer width="100%" height={220}>
              <ComposedChart data={minutes} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} title={title} desc={description}>
                <CartesianGrid strokeDasharray="3 3" stroke="#d5ddd9" />
                <XAxis dataKey="at" tickFormatter={(at: number) => minuteLabel(at)} tick={AXIS_TICK} minTickGap={24} />
                <YAxis yAxisId="jobs" allowDecimals={false} tick={AXIS_TICK} width={40} />
                <YAxis yAxisId="rate" orientation="right" domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v)} tick={AXIS_TICK} width={48} />
                <Tooltip
                  labelFormatter={(at) => minuteLabel(Number(at))}
                  formatter={(value, name) => [name === 'Taxa de falha' ? formatPercent(Number(value)) : formatInteger(Number(value)), name]}
                />
                <Legend />
                <Bar yAxisId="jobs" dataKey="completed" name="Concluídos" stackId="jobs" fill={COLORS.completed} isAnimationActive={false} />
                <Bar yAxisId="jobs" dataKey="failed" name="Com falha" stackId="jobs" fill={COLORS.failed} isAnimationActive={false} />
                <Line yAxisId="rate" type="monotone" dataKey="failureRate" name="Taxa de falha" stroke={COLORS.rate} strokeWidth={2} dot={false} isAnimationActive={false} />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
          <details className={figures.chartData}>
            <summary>Ver os números</summary>
            <div className={figures.chartTable}>
              {busy.length === 0 ? (
                <p className="muted">Nenhuma tarefa terminou na última hora.</p>
              ) : (
                <table className={figures.miniTable}>
                  <thead>
                    <tr>
                      <th scope="col">Minuto</th>
                      <th scope="col">Concluídos</th>
                      <th scope="col">Com falha</th>
                      <th scope="col">Taxa de falha</th>
                    </tr>
                  </thead>
                  <tbody>
                    {busy
                      .slice()
                      .reverse()
                      .map((m) => (
                        <tr key={m.at}>
                          <th scope="row">{minuteLabel(m.at)}</th>
                          <td>{formatInteger(m.completed)}</td>
                          <td>{formatInteger(m.failed)}</td>
                          <td>{formatPercent(m.failureRate)}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              )}
            </div>
          </details>
        </>
      )}
    </figure>
  );
}
