'use client';

import type { RouterOutputs } from '~/lib/trpc/react';
import { Figure, FigureSection } from '../ui/figure-list';
import { formatDateTime, formatTime } from '../ui/format';

/** An admin's view has no `opens` (a count of every org's work); the operator's has. */
type IntegrationStatus = RouterOutputs['admin']['system']['stats']['integrations'][number] & { opens?: number };

/** The external services by what they do for the store; the technical name on its own quiet line. */
const integrationLabels: Record<IntegrationStatus['name'], { label: string; term: string }> = {
  fcm: { label: 'Notificações push', term: 'Firebase Cloud Messaging (FCM)' },
  openai: { label: 'Análise das fotos de produtos', term: 'OpenAI' },
  openfoodfacts: { label: 'Dados de produtos pelo código de barras', term: 'Open Food Facts' },
  storage: { label: 'Armazenamento de fotos', term: 'object storage (DATA_DIR ou S3)' },
  vision: { label: 'Leitura das fotos de conformidade', term: 'Google Cloud Vision' },
};

function stateText(s: IntegrationStatus): string {
  switch (s.state) {
    case 'closed':
      return 'Funcionando';
    case 'half_open':
      return 'Testando se voltou';
    case 'open':
      return `Fora do ar desde ${formatDateTime(new Date(s.since))} — as tarefas esperam e tentam de novo${s.retryAt ? ` às ${formatTime(new Date(s.retryAt))}` : ''}`;
  }
}

/**
 * Each configured external service and its circuit breaker. Optional services: one that is down makes its feature
 * wait (pushes are delayed, never lost), never the app unavailable.
 */
export function IntegrationFigures({ integrations }: { integrations: IntegrationStatus[] }) {
  return (
    <FigureSection id="system-integrations" title="Serviços externos">
      {integrations.length === 0 ? (
        <Figure label="Nenhum configurado">Notificações push e as demais integrações estão desligadas nesta instalação.</Figure>
      ) : (
        integrations.map((s) => (
          <Figure key={s.name} label={integrationLabels[s.name]?.label ?? s.name} alert={s.state !== 'closed'}>
            {stateText(s)}
            <span className="term">
              {integrationLabels[s.name]?.term ?? s.name} · circuit breaker {s.state}
              {s.opens ? ` · abriu ${s.opens} ${s.opens === 1 ? 'vez' : 'vezes'}` : ''}
            </span>
          </Figure>
        ))
      )}
    </FigureSection>
  );
}
