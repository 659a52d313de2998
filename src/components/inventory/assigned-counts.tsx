'use client';

import Link from 'next/link';
import { api } from '~/lib/trpc/react';
import { ErrorAlert } from '../ui/feedback';
import { formatTime } from './shared';

/**
 * The home card of the counts open now: for a clerk, those assigned to them (the server lists only those), with
 * "Contar" one tap away; for managers and admins, every open count of their stores.
 */
export function AssignedCounts({ clerk }: { clerk: boolean }) {
  const open = api.inventory.list.useQuery({ limit: 10, status: ['open'] }, { refetchOnWindowFocus: true });
  if (open.isPending) return null;
  if (open.error) return <ErrorAlert error={open.error} title="Não foi possível carregar os inventários" onRetry={() => void open.refetch()} />;
  const sessions = open.data.items;
  if (sessions.length === 0 && !clerk) return null;
  return (
    <section className="card" aria-labelledby="assigned-counts-title" data-testid="assigned-counts">
      <h2 id="assigned-counts-title" className="section-title">
        {clerk ? 'Contagens para você' : 'Inventários abertos'}
      </h2>
      {sessions.length === 0 ? (
        <p className="muted">Nenhuma contagem designada para você agora.</p>
      ) : (
        <ul className="line-list">
          {sessions.map((s) => (
            <li key={s.id} className="line-card">
              <div>
                <strong>{s.storeName}</strong> · <span className="mono">{s.number}</span> · {s.scope === 'full' ? 'inventário completo' : 'inventário parcial'}
                <div className="muted">
                  Aberto por {s.openedByName} em {formatTime(s.openedAt.toISOString())}
                </div>
              </div>
              <div className="inline-actions">
                <Link href={`/inventory/${s.id}/count`} className="btn btn-primary" aria-label={`Contar · ${s.storeName}`}>
                  Contar
                </Link>
                {clerk ? null : (
                  <Link href={`/inventory/${s.id}`} className="btn btn-secondary">
                    Acompanhar
                  </Link>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
