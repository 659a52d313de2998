import type { RouterOutputs } from '~/lib/trpc/react';
import { formatInteger } from '../ui/format';

export type QueueName = RouterOutputs['admin']['queues']['stats']['queues'][number]['name'];

/** Every queue of the system (src/server/queues/definitions.ts), in the order the pages show them. */
export const queueLabels: Record<QueueName, string> = {
  'domain-events': 'Eventos de domínio',
  'fcm-notifications': 'Notificações push',
  'image-processing': 'Processamento de imagens',
  'compliance-checks': 'Verificação de fotos de conformidade',
};
export const queueNamesInOrder = Object.keys(queueLabels) as QueueName[];

/** A queue the server names that this page does not know yet is shown by its code. */
export function queueLabel(name: string): string {
  return (queueLabels as Record<string, string>)[name] ?? name;
}

/** The consumers of domain events (src/server/runtime/consumers.ts), which a replay can target one at a time. */
export const consumerLabels: Record<string, string> = {
  analytics: 'Indicadores do painel',
  push: 'Notificações push',
  'live-and-cache': 'Tempo real e cache',
  images: 'Imagens de produtos',
  'product-cache': 'Cache do catálogo',
  'accounts-cache': 'Cache de usuários, lojas e acessos',
};

/** "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h": how long something has waited or run. */
export function formatDuration(totalSeconds: number | null | undefined): string {
  if (totalSeconds == null) return '—';
  const seconds = Math.max(0, Math.round(totalSeconds));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${formatInteger(Math.floor(hours / 24))} d ${hours % 24} h`;
}
