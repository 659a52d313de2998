'use client';

import Link from 'next/link';
import { compliancePhotoUrl } from '~/lib/photos';
import { api } from '~/lib/trpc/react';
import { EmptyState, ErrorAlert, Loading } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import styles from './compliance.module.css';
import { reviewReasonLabels, taskStatusLabels } from './labels';

/** The tasks waiting for a manager, oldest first: Vision's failures (with what was missing) and what it could not judge. */
export function ReviewQueue() {
  const queue = api.compliance.reviewQueue.useQuery();
  return (
    <section>
      <PageHeader title="Revisão de conformidade" description="Tarefas reprovadas pela verificação automática ou que ela não pôde avaliar. Aprove ou devolva à loja com um comentário." />
      <p>
        <Link href="/compliance" className="btn btn-secondary">← Todas as tarefas</Link>
      </p>
      {queue.isPending ? <Loading /> : null}
      {queue.error ? <ErrorAlert error={queue.error} title="Não foi possível carregar a revisão" onRetry={() => void queue.refetch()} /> : null}
      {queue.isSuccess && queue.data.tasks.length === 0 ? <EmptyState>Nada aguardando revisão.</EmptyState> : null}
      <ul className="line-list" data-testid="compliance-review">
        {queue.data?.tasks.map((task) => {
          const missing = task.submission?.expected?.filter((e) => !e.found) ?? [];
          return (
            <li key={task.id} className="line-card">
              <div>
                <strong>{task.title}</strong> · {task.storeName}
                <div className="muted">
                  {taskStatusLabels[task.status]} · enviada {formatDateTime(task.submittedAt)}
                  {task.submission?.reviewReason ? ` · ${reviewReasonLabels[task.submission.reviewReason] ?? task.submission.reviewReason}` : ''}
                </div>
                {missing.length > 0 ? <div>Não encontrado: {missing.map((m) => `“${m.expected}”`).join(', ')}</div> : null}
                <div className={styles.thumbs}>
                  {task.photos.map((p) => (
                    <img key={p.id} src={compliancePhotoUrl(task.id, p.id, 'thumb')} alt="" width={64} height={64} loading="lazy" />
                  ))}
                </div>
              </div>
              <div className="inline-actions">
                <Link href={`/compliance/${task.id}`} className="btn btn-primary" aria-label={`Revisar ${task.title} — ${task.storeName}`}>
                  Revisar
                </Link>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
