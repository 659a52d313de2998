'use client';

import { useId, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RouterOutputs } from '~/lib/trpc/react';
import { formatInteger, formatMoney, formatPercent } from '../ui/format';
import figures from '../ui/figures.module.css';

type Summary = RouterOutputs['dashboard']['summary'];

const COLORS = { created: '#1d4f91', approved: '#0d7a4c', rejected: '#b42318', value: '#0b5d3b', rate: '#0d7a4c' };
const AXIS_TICK = { fontSize: 13, fill: '#4f5d56' };
/** Charts taller than a tablet screen stop being readable: the biggest ones, and the table has them all. */
const MAX_BARS = 12;
const compactMoney = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL', notation: 'compact', maximumFractionDigits: 1 });

const DAY_MS = 86_400_000;

/** The last 30 calendar days in São Paulo (the server's day boundary), oldest first, as YYYY-MM-DD. */
function last30Days(now = new Date()): string[] {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const base = Date.UTC(y, m - 1, d);
  return Array.from({ length: 30 }, (_, i) => new Date(base - (29 - i) * DAY_MS).toISOString().slice(0, 10));
}

const dayLabel = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}`;

/** A chart with its title, a description for screen readers and its numbers as a table for anyone who wants them. */
function ChartFigure({ title, description, empty, table, children }: { title: string; description: string; empty?: string; table: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <figure className={figures.chartCard} aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`}>
      <h3 id={`${id}-title`} className={figures.chartTitle}>
        {title}
      </h3>
      <p id={`${id}-desc`} className="sr-only">
        {description}
      </p>
      {empty ? <p className={figures.chartEmpty}>{empty}</p> : <div className={figures.chartBody}>{children}</div>}
      {empty ? null : (
        <details className={figures.chartData}>
          <summary>Ver os números</summary>
          <div className={figures.chartTable}>{table}</div>
        </details>
      )}
    </figure>
  );
}

export function DailyRequestsChart({ daily }: { daily: Summary['daily'] }) {
  const byDay = new Map(daily.map((d) => [String(d.day).slice(0, 10), d]));
  const data = last30Days().map((day) => {
    const row = byDay.get(day);
    return { day, requestsCreated: row?.requestsCreated ?? 0, itemsApproved: row?.itemsApproved ?? 0, itemsRejected: row?.itemsRejected ?? 0 };
  });
  const totals = data.reduce((t, d) => ({ created: t.created + d.requestsCreated, approved: t.approved + d.itemsApproved, rejected: t.rejected + d.itemsRejected }), {
    created: 0,
    approved: 0,
    rejected: 0,
  });
  const title = 'Solicitações por dia (últimos 30 dias)';
  const description = `Nos últimos 30 dias: ${totals.created} solicitações enviadas, ${totals.approved} itens aprovados e ${totals.rejected} itens recusados.`;
  return (
    <ChartFigure
      title={title}
      description={description}
      empty={daily.length === 0 ? 'Nenhuma solicitação nos últimos 30 dias.' : undefined}
      table={
        <table className={figures.miniTable}>
          <thead>
            <tr>
              <th scope="col">Dia</th>
              <th scope="col">Solicitações</th>
              <th scope="col">Itens aprovados</th>
              <th scope="col">Itens recusados</th>
            </tr>
          </thead>
          <tbody>
            {data
              .filter((d) => d.requestsCreated || d.itemsApproved || d.itemsRejected)
              .map((d) => (
                <tr key={d.day}>
                  <th scope="row">{dayLabel(d.day)}</th>
                  <td>{d.requestsCreated}</td>
                  <td>{d.itemsApproved}</td>
                  <td>{d.itemsRejected}</td>
                </tr>
              ))}
          </tbody>
        </table>
      }
    >
      <ResponsiveContainer width="100%" height={280}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }} title={title} desc={description}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d5ddd9" />
          <XAxis dataKey="day" tickFormatter={dayLabel} tick={AXIS_TICK} minTickGap={24} />
          <YAxis allowDecimals={false} tick={AXIS_TICK} width={40} />
          <Tooltip labelFormatter={(day) => dayLabel(String(day))} />
          <Legend />
          <Line type="monotone" dataKey="requestsCreated" name="Solicitações" stroke={COLORS.created} strokeWidth={3} dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="itemsApproved" name="Itens aprovados" stroke={COLORS.approved} strokeWidth={2} dot={false} isAnimationActive={false} />
          <Line
            type="monotone"
            dataKey="itemsRejected"
            name="Itens recusados"
            stroke={COLORS.rejected}
            strokeWidth={2}
            strokeDasharray="6 4"
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

export function StoreValueChart({ stores }: { stores: Summary['stores'] }) {
  const sorted = [...stores].sort((a, b) => b.requestsValue30d - a.requestsValue30d);
  const data = sorted.slice(0, MAX_BARS).map((s) => ({ store: s.storeName, value: s.requestsValue30d }));
  const total = stores.reduce((sum, s) => sum + s.requestsValue30d, 0);
  const title = 'Valor solicitado por loja (30 dias)';
  const description = `Total solicitado: ${formatMoney(total)}. ${sorted
    .slice(0, 3)
    .map((s) => `${s.storeName}: ${formatMoney(s.requestsValue30d)}`)
    .join('; ')}.`;
  return (
    <ChartFigure
      title={stores.length > MAX_BARS ? `${title} — as ${MAX_BARS} maiores de ${stores.length}` : title}
      description={description}
      empty={total === 0 ? 'Nenhum valor solicitado nos últimos 30 dias.' : undefined}
      table={
        <table className={figures.miniTable}>
          <thead>
            <tr>
              <th scope="col">Loja</th>
              <th scope="col">Valor</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((s) => (
              <tr key={s.storeId}>
                <th scope="row">{s.storeName}</th>
                <td>{formatMoney(s.requestsValue30d)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ResponsiveContainer width="100%" height={Math.max(180, data.length * 44 + 48)}>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 24, bottom: 0, left: 8 }} title={title} desc={description}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d5ddd9" horizontal={false} />
          <XAxis type="number" tickFormatter={(v: number) => compactMoney.format(v)} tick={AXIS_TICK} />
          <YAxis type="category" dataKey="store" width={120} tick={AXIS_TICK} />
          <Tooltip formatter={(v) => [formatMoney(Number(v)), 'Valor solicitado']} />
          <Bar dataKey="value" name="Valor solicitado" fill={COLORS.value} radius={[0, 4, 4, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

export function BuyerApprovalChart({ buyers }: { buyers: Summary['approvalByBuyer'] }) {
  const sorted = [...buyers].sort((a, b) => b.decided - a.decided);
  const data = sorted.slice(0, MAX_BARS).map((b) => ({ buyer: b.buyerName, rate: b.rate, decided: b.decided }));
  const title = 'Taxa de aprovação por comprador';
  const description = sorted.map((b) => `${b.buyerName}: ${formatPercent(b.rate)} de ${formatInteger(b.decided)} itens decididos`).join('; ');
  return (
    <ChartFigure
      title={title}
      description={description || 'Nenhum item decidido ainda.'}
      empty={buyers.length === 0 ? 'Nenhum item decidido ainda (os números são atualizados a cada minuto).' : undefined}
      table={
        <table className={figures.miniTable}>
          <thead>
            <tr>
              <th scope="col">Comprador</th>
              <th scope="col">Aprovação</th>
              <th scope="col">Aprovados</th>
              <th scope="col">Recusados</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((b) => (
              <tr key={b.buyerId}>
                <th scope="row">{b.buyerName}</th>
                <td>{formatPercent(b.rate)}</td>
                <td>{b.approved}</td>
                <td>{b.rejected}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ResponsiveContainer width="100%" height={Math.max(180, data.length * 44 + 48)}>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 24, bottom: 0, left: 8 }} title={title} desc={description}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d5ddd9" horizontal={false} />
          <XAxis type="number" domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v)} tick={AXIS_TICK} />
          <YAxis type="category" dataKey="buyer" width={140} tick={AXIS_TICK} />
          <Tooltip formatter={(v) => [formatPercent(Number(v)), 'Aprovação']} />
          <Bar dataKey="rate" name="Aprovação" fill={COLORS.rate} radius={[0, 4, 4, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
