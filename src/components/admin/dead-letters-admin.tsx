'use client';

import { useState, type FormEvent } from 'react';
import { fieldErrors } from '~/lib/trpc/errors';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api, type RouterInputs, type RouterOutputs } from '~/lib/trpc/react';
import { CheckboxField, SelectField, TextAreaField } from '../ui/fields';
import { EmptyState, ErrorAlert, Loading, Notice } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import { LoadMore } from '../ui/load-more';
import { ConfirmDialog, Modal } from '../ui/modal';
import { PageHeader } from '../ui/page-header';
import { queueLabel, queueLabels, queueNamesInOrder } from './operations-labels';

type DeadLetter = RouterOutputs['admin']['dlq']['list']['items'][number];
type QueueFilter = NonNullable<RouterInputs['admin']['dlq']['list']['queue']>;
type UserNames = Map<string, string>;

export function DeadLettersAdmin() {
  const utils = api.useUtils();
  const [queue, setQueue] = useState<QueueFilter | ''>('');
  const [resolved, setResolved] = useState(false);
  const input = { limit: 25, queue: queue || null, resolved };
  const list = api.admin.dlq.list.useInfiniteQuery(input, cursorPages);
  // Dead letters and their retries name people by id; the admin's user list turns them into names.
  const users = api.admin.users.list.useQuery({ limit: 200 });
  const names: UserNames = new Map((users.data?.items ?? []).map((u) => [u.id, u.name]));

  const [retrying, setRetrying] = useState<DeadLetter | null>(null);
  const [resolving, setResolving] = useState<DeadLetter | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const retry = api.admin.dlq.retry.useMutation({
    onSuccess: async (result) => {
      setNotice(`Job reenviado para a fila ${queueLabel(retrying?.sourceQueue ?? '')} (novo id ${result.jobId}). A entrada fica aqui até ser resolvida.`);
      setRetrying(null);
      await utils.admin.dlq.list.invalidate();
    },
  });

  const letters = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader
        title="Fila de erros (DLQ)"
        description="Jobs que falharam em todas as tentativas. Corrija a causa, reenvie o job e marque como resolvido."
      />

      <form className="filters" aria-label="Filtrar fila de erros" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Fila" value={queue} onChange={(e) => setQueue(e.target.value as QueueFilter | '')}>
          <option value="">Todas</option>
          {queueNamesInOrder.map((name) => (
            <option key={name} value={name}>
              {queueLabels[name]}
            </option>
          ))}
        </SelectField>
        <CheckboxField
          label="Resolvidos"
          checked={resolved}
          onChange={(e) => setResolved(e.target.checked)}
          hint="Marcado, mostra os já resolvidos; desmarcado, os que esperam uma ação."
        />
      </form>

      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {users.isError ? <ErrorAlert error={users.error} title="Não foi possível carregar os nomes dos usuários" /> : null}

      {list.isPending ? (
        <Loading label="Carregando a fila de erros…" />
      ) : list.isError && !list.data ? (
        <ErrorAlert error={list.error} title="Não foi possível carregar a fila de erros" onRetry={() => void list.refetch()} />
      ) : letters.length === 0 ? (
        <EmptyState>{resolved ? 'Nenhum job resolvido com esses filtros.' : 'Nenhum job com erro esperando uma ação. Tudo certo!'}</EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="data-table" role="table">
              <caption className="sr-only">Jobs na fila de erros</caption>
              <thead role="rowgroup">
                <tr role="row">
                  <th scope="col" role="columnheader">Fila</th>
                  <th scope="col" role="columnheader">Job</th>
                  <th scope="col" role="columnheader">Criado em</th>
                  <th scope="col" role="columnheader">Tentativas</th>
                  <th scope="col" role="columnheader">Erro</th>
                  <th scope="col" role="columnheader">{resolved ? 'Resolução' : 'Detalhes'}</th>
                  <th scope="col" role="columnheader">
                    <span className="sr-only">Ações</span>
                  </th>
                </tr>
              </thead>
              <tbody role="rowgroup">
                {letters.map((letter) => (
                  <DeadLetterRow
                    key={letter.id}
                    letter={letter}
                    names={names}
                    onRetry={() => {
                      setNotice(null);
                      retry.reset();
                      setRetrying(letter);
                    }}
                    onResolve={() => {
                      setNotice(null);
                      setResolving(letter);
                    }}
                  />
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore query={list} shown={letters.length} />
        </>
      )}

      <ConfirmDialog
        open={retrying !== null}
        title="Reenviar job"
        confirmLabel="Reenviar"
        pendingLabel="Reenviando…"
        pending={retry.isPending}
        onCancel={() => setRetrying(null)}
        onConfirm={() => retrying && retry.mutate({ id: retrying.id })}
        error={retry.isError ? <ErrorAlert error={retry.error} /> : null}
      >
        <p>
          Colocar o job <strong>{retrying?.jobName ?? 'sem nome'}</strong> de volta na fila <strong>{queueLabel(retrying?.sourceQueue ?? '')}</strong>, com
          o mesmo conteúdo? Faça isso depois de corrigir a causa do erro; se ele falhar de novo, volta para esta lista.
        </p>
      </ConfirmDialog>

      <ResolveDialog
        letter={resolving}
        onClose={() => setResolving(null)}
        onResolved={async (letter) => {
          setNotice(`Job ${letter.jobName ?? ''} marcado como resolvido.`);
          setResolving(null);
          await utils.admin.dlq.list.invalidate();
        }}
      />
    </>
  );
}

function DeadLetterRow({ letter, names, onRetry, onResolve }: { letter: DeadLetter; names: UserNames; onRetry: () => void; onResolve: () => void }) {
  const who = (id: string | null) => (id ? (names.get(id) ?? 'Usuário removido') : 'Sistema');
  const jobName = letter.jobName ?? 'sem nome';
  return (
    <tr role="row">
      <td role="cell" data-label="Fila">
        {queueLabel(letter.sourceQueue)}
        <span className="muted block mono">{letter.sourceQueue}</span>
      </td>
      <td role="cell" data-label="Job">
        <span className="mono break">{jobName}</span>
        {letter.originalId ? <span className="muted block mono break">id {letter.originalId}</span> : null}
      </td>
      <td role="cell" data-label="Criado em">
        {formatDateTime(letter.createdAt)}
        <span className="muted block">última tentativa {formatDateTime(letter.lastAttemptAt)}</span>
      </td>
      <td role="cell" data-label="Tentativas">
        {letter.attempts}/{letter.maxAttempts}
      </td>
      <td role="cell" data-label="Erro" className="break">
        {letter.errorMessage ?? <span className="muted">Sem mensagem</span>}
      </td>
      <td role="cell" data-label={letter.resolvedAt ? 'Resolução' : 'Detalhes'}>
        {letter.resolvedAt ? (
          <p>
            Resolvido por <strong>{who(letter.resolvedBy)}</strong> em {formatDateTime(letter.resolvedAt)}
            {letter.resolutionNote ? <span className="block">“{letter.resolutionNote}”</span> : null}
          </p>
        ) : null}
        <details>
          <summary>Ver detalhes</summary>
          <p className="details-label">Conteúdo do job</p>
          <pre className="json">{JSON.stringify(letter.payload, null, 2)}</pre>
          <p className="details-label">Pilha do erro</p>
          {letter.errorStack ? <pre className="json">{letter.errorStack}</pre> : <p className="muted">Não registrada.</p>}
          <p className="details-label">Reenvios</p>
          {letter.retryHistory.length === 0 ? (
            <p className="muted">Nenhum reenvio ainda.</p>
          ) : (
            <ol>
              {letter.retryHistory.map((entry) => (
                <li key={`${entry.at}-${entry.newJobId ?? ''}`}>
                  {formatDateTime(entry.at)} por {who(entry.by)}
                  {entry.newJobId ? <span className="muted block mono break">novo job {entry.newJobId}</span> : null}
                </li>
              ))}
            </ol>
          )}
        </details>
      </td>
      <td role="cell" className="row-actions">
        {letter.resolvedAt ? null : (
          <>
            <button type="button" className="btn btn-secondary btn-small" aria-label={`Reenviar ${jobName}`} onClick={onRetry}>
              Reenviar
            </button>
            <button type="button" className="btn btn-secondary btn-small" aria-label={`Resolver ${jobName}`} onClick={onResolve}>
              Resolver
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

function ResolveDialog({ letter, onClose, onResolved }: { letter: DeadLetter | null; onClose: () => void; onResolved: (letter: DeadLetter) => Promise<void> }) {
  const resolve = api.admin.dlq.resolve.useMutation();
  const close = () => {
    resolve.reset();
    onClose();
  };
  return (
    <Modal open={letter !== null} title="Resolver job com erro" onClose={close} busy={resolve.isPending}>
      {letter ? (
        <ResolveForm
          key={letter.id}
          letter={letter}
          pending={resolve.isPending}
          error={resolve.error}
          onCancel={close}
          onSubmit={(note) => {
            resolve.reset();
            resolve.mutate({ id: letter.id, note }, { onSuccess: () => onResolved(letter) });
          }}
        />
      ) : null}
    </Modal>
  );
}

function ResolveForm({
  letter,
  pending,
  error,
  onCancel,
  onSubmit,
}: {
  letter: DeadLetter;
  pending: boolean;
  error: { message: string; data?: unknown } | null;
  onCancel: () => void;
  onSubmit: (note: string) => void;
}) {
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | undefined>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (note.trim() === '') {
      setNoteError('Campo obrigatório: diga o que foi feito ou por que não precisa de ação.');
      return;
    }
    setNoteError(undefined);
    onSubmit(note.trim());
  };
  return (
    <form onSubmit={submit} noValidate className="form">
      <p>
        Job <strong className="mono">{letter.jobName ?? 'sem nome'}</strong> da fila {queueLabel(letter.sourceQueue)}. Resolver tira o job desta lista;
        ele não é executado de novo.
      </p>
      <TextAreaField
        label="Nota"
        value={note}
        onChange={(e) => setNote(e.target.value)}
        required
        data-autofocus
        rows={3}
        maxLength={1000}
        hint="Fica registrada com o seu nome, por exemplo “Produto removido; nada a reenviar”."
        error={noteError ?? fieldErrors(error).note}
      />
      {error ? <ErrorAlert error={error} /> : null}
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={pending}>
          Cancelar
        </button>
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {pending ? 'Resolvendo…' : 'Resolver'}
        </button>
      </div>
    </form>
  );
}
