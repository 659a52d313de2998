'use client';

import Link from 'next/link';
import { api } from '~/lib/trpc/react';
import { ErrorAlert } from '../ui/feedback';
import { Figure, FigureSection } from '../ui/figure-list';
import { formatInteger } from '../ui/format';

/**
 * The photo pipeline as an admin pays for it: OpenAI's tokens today against the org's daily budget (past it photos
 * wait in review until the next day), the last 7 days, and how many products wait for a person or for the pipeline.
 */
export function ScoringFigures() {
  const usage = api.images.usage.useQuery(undefined, { refetchInterval: 30_000 });
  if (usage.isError) return <ErrorAlert error={usage.error} title="Não foi possível carregar o uso da análise de fotos" onRetry={() => void usage.refetch()} />;
  if (!usage.data) return null;
  const { configured, model, dailyBudget, today, days, counts } = usage.data;
  const share = dailyBudget > 0 ? Math.min(100, Math.round((today.tokens / dailyBudget) * 100)) : 100;
  return (
    <FigureSection id="system-photos" title="Fotos dos produtos">
      <Figure label="Análise automática">
        {configured ? `Ligada (${model})` : 'Desligada: sem chave da OpenAI, toda foto vai para a revisão'}
      </Figure>
      {configured ? (
        <Figure label="Uso hoje" alert={today.tokens >= dailyBudget}>
          {formatInteger(today.tokens)} de {formatInteger(dailyBudget)} tokens ({share}%) em {formatInteger(today.calls)} {today.calls === 1 ? 'análise' : 'análises'}
          {today.tokens >= dailyBudget ? ' — limite atingido: as fotos novas esperam na revisão até amanhã' : ''}
          <span className="term">OPENAI_DAILY_TOKEN_BUDGET · dia em UTC</span>
        </Figure>
      ) : null}
      {configured && days.length > 0 ? (
        <Figure label="Últimos 7 dias">
          {days.map((d) => `${d.day.slice(8, 10)}/${d.day.slice(5, 7)}: ${formatInteger(d.tokens)} tokens`).join(' · ')}
        </Figure>
      ) : null}
      <Figure label="Esperando revisão" alert={counts.review > 0}>
        {formatInteger(counts.review)} {counts.review === 1 ? 'produto' : 'produtos'} · <Link href="/photos">abrir a revisão de fotos</Link>
      </Figure>
      <Figure label="Em análise agora">{formatInteger(counts.processing)}</Figure>
    </FigureSection>
  );
}
