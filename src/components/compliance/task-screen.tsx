'use client';

import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import { compliancePhotoUrl } from '~/lib/photos';
import { describeError } from '~/lib/trpc/errors';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import type { CompliancePhoto } from '~/offline/db';
import { useSession } from '../session';
import { ErrorAlert, Loading, Notice } from '../ui/feedback';
import { CheckboxField, TextAreaField } from '../ui/fields';
import { formatDateTime, formatPercent } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import { reviewReasonLabels, taskStatusLabels } from './labels';
import { OutboxStatus } from './outbox-status';
import styles from './compliance.module.css';
import { useComplianceOutbox } from './use-compliance-outbox';
import { useLastSeen } from './use-last-seen';

type Detail = RouterOutputs['compliance']['task'];
type Submission = Detail['submissions'][number];

/** A task: what to photograph, the photos (kept on the tablet first), the checklist and the sending; and the verdicts. */
export function TaskScreen({ taskId }: { taskId: string }) {
  const me = useSession();
  const manager = me.user.role === 'manager' || me.user.role === 'admin';
  const detail = api.compliance.task.useQuery({ taskId });
  const data = useLastSeen(`compliance-task:${me.user.id}:${taskId}`, detail.data);
  const outbox = useComplianceOutbox(me.user.id);
  if (!data && detail.isPending) return <Loading />;
  if (!data) return <ErrorAlert error={detail.error!} title="Não foi possível abrir a tarefa" onRetry={() => void detail.refetch()} />;
  const { task, photos, submissions, visionEnabled } = data;
  const current = submissions.find((s) => s.id === task.submissionId) ?? null;
  return (
    <section>
      <PageHeader title={task.title} description={`${task.storeName} · prazo ${formatDateTime(task.dueAt)} · ${taskStatusLabels[task.status]}`} />
      <p>
        <Link href="/compliance" className="btn btn-secondary">← Todas as tarefas</Link>
      </p>
      {task.instructions ? <p className={styles.prewrap}>{task.instructions}</p> : null}
      {task.status === 'open' && task.returnedComment ? <Notice tone="warning">Devolvida pela revisão: {task.returnedComment}</Notice> : null}
      <OutboxStatus outbox={outbox} taskId={task.id} />
      {!detail.data ? <Notice tone="warning">Sem conexão: esta é a tarefa como foi vista pela última vez neste tablet.</Notice> : null}
      {task.status === 'open' ? <DoTask detail={data} outbox={outbox} /> : null}
      {task.status === 'submitted' ? <Notice>Fotos recebidas. A verificação automática está em andamento.</Notice> : null}
      {!visionEnabled && task.status === 'open' ? <Notice>A verificação automática está desligada: um gerente revisará o envio.</Notice> : null}
      {current && task.status !== 'open' ? <SubmissionView taskId={task.id} submission={current} photos={photos.filter((p) => p.submissionId === current.id)} /> : null}
      {manager && current && (task.status === 'needs_review' || task.status === 'failed') ? <ReviewForm taskId={task.id} submissionId={current.id} /> : null}
      {submissions.filter((s) => s.id !== task.submissionId || task.status === 'open').length > 0 ? (
        <>
          <h2 className="section-title">Envios anteriores</h2>
          {submissions
            .filter((s) => s.id !== task.submissionId || task.status === 'open')
            .map((s) => (
              <SubmissionView key={s.id} taskId={task.id} submission={s} photos={photos.filter((p) => p.submissionId === s.id)} compact />
            ))}
        </>
      ) : null}
    </section>
  );
}

type ServerPhoto = Detail['photos'][number];

function DoTask({ detail, outbox }: { detail: Detail; outbox: ReturnType<typeof useComplianceOutbox> }) {
  const { task } = detail;
  const [ticked, setTicked] = useState<boolean[]>(() => task.checklist.map(() => false));
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const local = outbox.photos.filter((p) => p.taskId === task.id);
  const queued = outbox.submissions.find((s) => s.taskId === task.id && s.status === 'pending');
  // The server's photos not yet sent, and this tablet's (one entry per id: an uploaded one is on both).
  const waitingOnServer = detail.photos.filter((p) => p.submissionId === null && !local.some((l) => l.id === p.id));
  const usable = [...local.filter((p) => p.status !== 'rejected').map((p) => p.id), ...waitingOnServer.map((p) => p.id)];
  const ready = usable.length >= task.photoCount && ticked.every(Boolean);

  const take = async (files: FileList | null) => {
    setError(null);
    for (const file of Array.from(files ?? [])) {
      try {
        await outbox.takePhoto(task.id, file);
      } catch (e) {
        setError(e instanceof Error && e.name === 'OfflineStorageFullError' ? e.message : `A foto não pôde ser guardada: ${(e as Error).message}`);
      }
    }
    if (input.current) input.current.value = '';
  };
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      await outbox.submit({ taskId: task.id, photoIds: usable, checklist: ticked, note: note.trim() || null });
    } catch (e) {
      setError(describeError(e as never));
    } finally {
      setBusy(false);
    }
  };

  if (queued) return <Notice>Tarefa pronta para envio: sai deste tablet assim que todas as fotos chegarem ao servidor.</Notice>;
  return (
    <div>
      <h2 className="section-title">
        Fotos ({usable.length} de {task.photoCount})
      </h2>
      <ul className={styles.photoGrid} data-testid="task-photos">
        {local.map((p) => (
          <LocalPhoto key={p.id} photo={p} onRemove={() => void outbox.removePhoto(p, p.status === 'uploaded').catch((e: unknown) => setError(describeError(e as never)))} />
        ))}
        {waitingOnServer.map((p) => (
          <ServerPhotoItem key={p.id} taskId={task.id} photo={p} onRemove={() => void outbox.removePhoto({ id: p.id, taskId: task.id }, true).catch((e: unknown) => setError(describeError(e as never)))} />
        ))}
      </ul>
      <label className={`btn btn-primary ${styles.capture}`}>
        Tirar foto
        <input ref={input} type="file" accept="image/*" capture="environment" multiple className="sr-only" onChange={(e) => void take(e.target.files)} data-testid="photo-input" />
      </label>
      {task.checklist.length > 0 ? (
        <fieldset className="field">
          <legend className="field-label">Lista de verificação</legend>
          {task.checklist.map((item, i) => (
            <CheckboxField key={i} label={item} checked={ticked[i] ?? false} onChange={(e) => setTicked((t) => t.map((v, j) => (j === i ? e.target.checked : v)))} />
          ))}
        </fieldset>
      ) : null}
      <TextAreaField label="Observação (opcional)" value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} rows={2} />
      {error ? <Notice tone="warning">{error}</Notice> : null}
      <button type="button" className={`btn btn-primary ${styles.capture}`} disabled={!ready || busy} onClick={() => void send()}>
        Enviar tarefa
      </button>
      {!ready ? (
        <p className="muted">
          {usable.length < task.photoCount ? `Faltam ${task.photoCount - usable.length} foto(s). ` : ''}
          {ticked.every(Boolean) ? '' : 'Marque todos os itens da lista.'}
        </p>
      ) : null}
    </div>
  );
}

const photoStatus: Record<CompliancePhoto['status'], string> = { pending: 'aguardando envio', uploaded: 'no servidor', rejected: 'recusada' };

function LocalPhoto({ photo, onRemove }: { photo: CompliancePhoto; onRemove: () => void }) {
  const url = useMemo(() => URL.createObjectURL(photo.blob), [photo.blob]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <li className={styles.photoTile} data-status={photo.status}>
      <img src={url} alt={`Foto de ${formatDateTime(photo.takenAt)}`} width={160} height={Math.round((160 * photo.height) / photo.width)} />
      <span className="muted">{photoStatus[photo.status]}</span>
      {photo.message ? <span className="field-error">{photo.message}</span> : null}
      <button type="button" className="btn btn-secondary" onClick={onRemove}>
        Remover
      </button>
    </li>
  );
}

function ServerPhotoItem({ taskId, photo, onRemove }: { taskId: string; photo: ServerPhoto; onRemove?: () => void }) {
  return (
    <li className={styles.photoTile}>
      <a href={compliancePhotoUrl(taskId, photo.id, 'original')} target="_blank" rel="noreferrer">
        <img src={compliancePhotoUrl(taskId, photo.id, 'large')} alt={`Foto enviada em ${formatDateTime(photo.createdAt)}`} width={160} height={Math.round((160 * photo.height) / photo.width)} />
      </a>
      {onRemove ? (
        <button type="button" className="btn btn-secondary" onClick={onRemove}>
          Remover
        </button>
      ) : null}
    </li>
  );
}

const verdictLabels: Record<Submission['verdict'], string> = { pending: 'Em verificação', passed: 'Aprovada', failed: 'Reprovada', needs_review: 'Aguardando revisão' };

function SubmissionView({ taskId, submission, photos, compact }: { taskId: string; submission: Submission; photos: ServerPhoto[]; compact?: boolean }) {
  return (
    <article className="line-card block" data-testid={`submission-${submission.id}`}>
      <div>
        <strong>{verdictLabels[submission.verdict]}</strong> · enviada por {submission.submittedByName} em {formatDateTime(submission.createdAt)}
        {submission.reviewReason ? <div className="muted">{reviewReasonLabels[submission.reviewReason] ?? submission.reviewReason}</div> : null}
        {submission.reviewDecision ? (
          <div>
            Revisão: {submission.reviewDecision === 'approved' ? 'aprovada' : 'devolvida'}
            {submission.reviewComment ? ` — ${submission.reviewComment}` : ''}
          </div>
        ) : null}
        {submission.note ? <div className="muted">Observação: {submission.note}</div> : null}
      </div>
      {submission.expected && submission.expected.length > 0 ? (
        <ul className={styles.found} data-testid="expected-items">
          {submission.expected.map((e, i) => (
            <li key={i}>
              {e.found ? '✔ encontrado' : '✘ não encontrado'}: {e.kind === 'label' ? 'elemento' : 'texto'} “{e.expected}”
            </li>
          ))}
        </ul>
      ) : null}
      {!compact ? (
        <ul className={styles.photoGrid}>
          {photos.map((p) => {
            const found = submission.findings?.find((f) => f.photoId === p.id);
            return (
              <li key={p.id} className={styles.photoTile}>
                <ServerPhotoItem taskId={taskId} photo={p} />
                {found ? (
                  <details>
                    <summary>O que o Google Vision viu</summary>
                    <p>{found.labels.map((l) => `${l.description} (${formatPercent(l.score)})`).join(', ') || 'Nenhum elemento'}</p>
                    <p className={`${styles.prewrap} mono`}>{found.text || 'Nenhum texto lido'}</p>
                  </details>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
    </article>
  );
}

function ReviewForm({ taskId, submissionId }: { taskId: string; submissionId: string }) {
  const utils = api.useUtils();
  const [comment, setComment] = useState('');
  const review = api.compliance.review.useMutation({ onSuccess: () => utils.compliance.invalidate() });
  return (
    <div className="card">
      <h2 className="section-title">Sua decisão</h2>
      <TextAreaField label="Comentário (obrigatório para devolver)" value={comment} onChange={(e) => setComment(e.target.value)} maxLength={1000} rows={2} />
      {review.error ? <ErrorAlert error={review.error} /> : null}
      <div className="inline-actions">
        <button type="button" className="btn btn-primary" disabled={review.isPending} onClick={() => review.mutate({ taskId, submissionId, decision: 'approved', comment: comment || null })}>
          Aprovar
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={review.isPending || !comment.trim()}
          onClick={() => review.mutate({ taskId, submissionId, decision: 'rejected', comment })}
        >
          Devolver à loja
        </button>
      </div>
    </div>
  );
}
