'use client';

import { useRef, useState } from 'react';
import { photoUrl, reviewReasonLabels } from '~/lib/photos';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { describeError } from '~/lib/trpc/errors';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { ErrorAlert, Notice } from '../ui/feedback';
import { formatInteger } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import { PagedList, pagedItems } from '../ui/paged-list';
import { useSession } from '../session';
import { reducePhoto } from './reduce-photo';
import styles from './photo-review.module.css';

type Item = RouterOutputs['images']['reviewQueue']['items'][number];

const PAGE_SIZE = 20;

/**
 * The photos the pipeline could not approve alone, oldest first: each with its candidate (when there is one), the
 * automatic score and its reasons. Approve it, reject it, take or choose another (it is approved: a person chose
 * it), or send the product through the pipeline again. Buyers and admins.
 */
export function PhotoReview() {
  const utils = api.useUtils();
  const queue = api.images.reviewQueue.useInfiniteQuery({ limit: PAGE_SIZE }, cursorPages);
  const items = pagedItems(queue);
  const counts = queue.data?.pages[0]?.counts;
  const [done, setDone] = useState<string | null>(null);
  const { user } = useSession();
  const findMissing = api.images.findMissing.useMutation({
    onSuccess: async ({ sent, remaining }) => {
      setDone(
        `${formatInteger(sent)} ${sent === 1 ? 'produto foi' : 'produtos foram'} para a análise automática.` +
          (remaining > 0 ? ` Faltam ${formatInteger(remaining)}: toque de novo para enviar mais.` : ''),
      );
      await refresh();
    },
  });

  const refresh = () => Promise.all([utils.images.reviewQueue.invalidate(), utils.products.list.invalidate(), utils.products.byEan.invalidate()]);

  return (
    <>
      <PageHeader
        title="Fotos dos produtos"
        description="Fotos que a análise automática não aprovou sozinha. Aprove, recuse ou tire outra foto do produto."
      />
      {counts ? (
        <p className="muted" role="status">
          {counts.review === 0 ? 'Nenhuma foto esperando revisão.' : counts.review === 1 ? '1 foto esperando revisão.' : `${formatInteger(counts.review)} fotos esperando revisão.`}
          {counts.processing > 0 ? ` ${formatInteger(counts.processing)} em análise automática agora.` : ''}
        </p>
      ) : null}
      {counts && counts.pending > 0 && user.role === 'admin' ? (
        <div className={styles.backfill}>
          <p>
            {counts.pending === 1 ? '1 produto ainda não passou' : `${formatInteger(counts.pending)} produtos ainda não passaram`} pela busca de fotos (cadastrados antes
            dela existir).
          </p>
          <button type="button" className="btn btn-secondary" disabled={findMissing.isPending} onClick={() => findMissing.mutate()}>
            {findMissing.isPending ? 'Enviando…' : 'Buscar fotos agora'}
          </button>
        </div>
      ) : null}
      {findMissing.isError ? <ErrorAlert error={findMissing.error} title="Não foi possível enviar os produtos para a busca de fotos" /> : null}
      {done ? <Notice tone="success">{done}</Notice> : null}
      <PagedList query={queue} loadingLabel="Carregando a fila de fotos…" errorTitle="Não foi possível carregar a fila de fotos" empty="Nenhuma foto esperando revisão.">
        <ul className={styles.queue} aria-label="Fotos esperando revisão">
          {items.map((item) => (
            <ReviewCard
              key={`${item.id}-${item.photoId ?? 'none'}`}
              item={item}
              onDone={async (message) => {
                setDone(message);
                await refresh();
              }}
            />
          ))}
        </ul>
      </PagedList>
    </>
  );
}

function ReviewCard({ item, onDone }: { item: Item; onDone: (message: string) => Promise<void> }) {
  const approve = api.images.approve.useMutation();
  const reject = api.images.reject.useMutation();
  const replace = api.images.replacePhoto.useMutation();
  const retry = api.images.retry.useMutation();
  const [error, setError] = useState<string | null>(null);
  const [preparing, setPreparing] = useState(false);
  // One id per photo chosen: a retried upload of the same photo is stored once.
  const upload = useRef<{ file: File; photoId: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const busy = approve.isPending || reject.isPending || replace.isPending || retry.isPending || preparing;
  const large = photoUrl(item.id, item.photoId, 'large');
  const headingId = `photo-review-${item.id}`;

  const run = async (work: () => Promise<string>) => {
    setError(null);
    try {
      await onDone(await work());
    } catch (e) {
      setError(e instanceof Error && !('data' in e) ? e.message : describeError(e as { message: string; data?: unknown }));
    }
  };

  const sendPhoto = (file: File) =>
    run(async () => {
      if (upload.current?.file !== file) upload.current = { file, photoId: crypto.randomUUID() };
      setPreparing(true);
      let photo: string;
      try {
        photo = await reducePhoto(file);
      } finally {
        setPreparing(false);
      }
      await replace.mutateAsync({ productId: item.id, photoId: upload.current.photoId, photo });
      return `Foto nova de ${item.name} salva e aprovada.`;
    });

  return (
    <li className={styles.card} aria-labelledby={headingId}>
      <div className={styles.photo}>
        {large ? (
          <img src={large} alt={`Foto candidata de ${item.name}`} width={256} height={256} loading="lazy" />
        ) : (
          <span className={styles.noPhoto}>Sem foto</span>
        )}
      </div>
      <div className={styles.body}>
        <h2 id={headingId} className={styles.name}>
          {item.name}
        </h2>
        <p className="muted">
          {[item.brand, item.category].filter(Boolean).join(' · ') || 'Sem marca nem categoria'} · EAN <span className="mono">{item.ean}</span>
        </p>
        <p className={styles.reason}>
          <strong>{reviewReasonLabels[item.imageReviewReason ?? ''] ?? 'Esperando uma foto'}</strong>
          {item.imageScore !== null ? <span className="badge">Nota {Math.round(item.imageScore * 100)}%</span> : null}
          {item.imageSource === 'openfoodfacts' ? <span className="muted"> · foto do Open Food Facts</span> : null}
        </p>
        {item.imageReasons.length > 0 ? (
          <ul className={styles.reasons}>
            {item.imageReasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        ) : null}
        {error ? (
          <div className="alert alert-error" role="alert">
            <p>{error}</p>
            {upload.current && !replace.isPending ? (
              <button type="button" className="btn btn-secondary" onClick={() => void sendPhoto(upload.current!.file)}>
                Enviar a foto de novo
              </button>
            ) : null}
          </div>
        ) : null}
        <div className={styles.actions}>
          {item.photoId ? (
            <>
              <button
                type="button"
                className="btn btn-primary"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await approve.mutateAsync({ productId: item.id, photoId: item.photoId! });
                    return `Foto de ${item.name} aprovada.`;
                  })
                }
              >
                {approve.isPending ? 'Aprovando…' : 'Aprovar foto'}
              </button>
              <button
                type="button"
                className="btn btn-secondary"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await reject.mutateAsync({ productId: item.id, photoId: item.photoId! });
                    return `Foto de ${item.name} recusada. O produto fica sem foto até outra ser aprovada.`;
                  })
                }
              >
                {reject.isPending ? 'Recusando…' : 'Recusar'}
              </button>
            </>
          ) : null}
          <label className={`btn btn-secondary ${busy ? styles.disabled : ''}`}>
            {preparing ? 'Preparando a foto…' : replace.isPending ? 'Enviando a foto…' : item.photoId ? 'Trocar foto' : 'Enviar foto'}
            <input
              ref={fileInput}
              type="file"
              accept="image/*"
              capture="environment"
              className="sr-only"
              disabled={busy}
              aria-label={`Tirar ou escolher uma foto de ${item.name}`}
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) void sendPhoto(file);
              }}
            />
          </label>
          <button
            type="button"
            className="btn btn-ghost"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await retry.mutateAsync({ productId: item.id });
                return `${item.name} voltou para a análise automática.`;
              })
            }
          >
            Analisar de novo
          </button>
        </div>
      </div>
    </li>
  );
}
