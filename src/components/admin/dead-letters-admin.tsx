'use client';

import { useState, type FormEvent } from 'react';
import { fieldErrors } from '~/lib/trpc/errors';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api, type RouterInputs, type RouterOutputs } from '~/lib/trpc/react';
import { CheckboxField, SelectField, TextAreaField } from '../ui/fields';
import { ConfirmMutationDialog, useConfirmation, type Confirmation } from '../ui/confirm-mutation';
import { actionsColumn, DataTable } from '../ui/data-table';
import { ErrorAlert } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import { ListNotice, useListNotice } from '../ui/list-notice';
import { Modal } from '../ui/modal';
import { PagedList, pagedItems } from '../ui/paged-list';
import { RowAction, RowActions } from '../ui/row-actions';
import { PageHeader } from '../ui/page-header';
import { queueLabel, queueLabels, queueNamesInOrder } from './operations-labels';
import styles from './admin.module.css';

type DeadLetter = RouterOutputs['admin']['dlq']['list']['items'][number];
type QueueFilter = NonNullable<RouterInputs['admin']['dlq']['list']['queue']>;
/** `admin.dlq` (an org's letters) or `operator.dlq` (the system's): the same procedures over different rows. */
type DeadLetterProcedures = typeof api.admin.dlq;

/** The org's dead letters, for its admin. */
export function DeadLettersAdmin() {
  const utils = api.useUtils();
  return (
    <DeadLetters
      procedures={api.admin.dlq}
      invalidate={() => utils.admin.dlq.list.invalidate()}
      title="Tarefas com erro"
      description="Tarefas da sua rede que falharam em todas as tentativas. Corrija a causa, reenvie a tarefa e marque-a como resolvida."
      unknownName="Usuário removido"
    />
  );
}

/** A page of dead letters: filter, read, retry and resolve them. */
export function DeadLetters({
  procedures,
  invalidate,
  title,
  description,
  unknownName,
}: {
  procedures: DeadLetterProcedures;
  invalidate: () => Promise<void>;
  title: string;
  description: string;
  /** Who retried or resolved a letter comes with each page (`people`); this names an id it does not have (a removed user). */
  unknownName: string;
}) {
  const [queue, setQueue] = useState<QueueFilter | ''>('');
  const [resolved, setResolved] = useState(false);
  const input = { limit: 25, queue: queue || null, resolved };
  const list = procedures.list.useInfiniteQuery(input, cursorPages);

  const [resolving, setResolving] = useState<DeadLetter | null>(null);
  const notice = useListNotice(invalidate);

  const retry = procedures.retry.useMutation({
    onSuccess: (result) => {
      const queueName = queueLabel(retrying.target?.sourceQueue ?? '');
      retrying.close();
      return notice.announce(`Tarefa reenviada para a fila ${queueName} (novo id ${result.jobId}). Ela continua nesta lista até ser resolvida.`);
    },
  });
  const retrying: Confirmation<DeadLetter> = useConfirmation(retry, notice.clear);
  const letters = pagedItems(list);
  const names = new Map((list.data?.pages ?? []).flatMap((page) => Object.entries(page.people)));
  const who = (id: string | null) => (id ? (names.get(id) ?? unknownName) : 'Sistema');

  return (
    <>
      <PageHeader title={title} term="fila de erros · dead-letter queue (DLQ)" description={description} />

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

      <ListNotice notice={notice} />

      <PagedList
        query={list}
        loadingLabel="Carregando a fila de erros…"
        errorTitle="Não foi possível carregar a fila de erros"
        empty={resolved ? 'Nenhuma tarefa resolvida com esses filtros.' : 'Nenhuma tarefa com erro esperando uma ação. Tudo certo!'}
      >
        <DataTable
          caption="Tarefas com erro"
          columns={['Fila', 'Tarefa', 'Criado em', 'Tentativas', 'Erro', resolved ? 'Resolução' : 'Detalhes', actionsColumn]}
        >
          {letters.map((letter) => (
            <DeadLetterRow
              key={letter.id}
              letter={letter}
              who={who}
              onRetry={() => retrying.ask(letter)}
              onResolve={notice.clearThen(() => setResolving(letter))}
            />
          ))}
        </DataTable>
      </PagedList>

      <ConfirmMutationDialog
        confirmation={retrying}
        title="Reenviar tarefa"
        confirmLabel="Reenviar"
        pendingLabel="Reenviando…"
        onConfirm={(letter) => retry.mutate({ id: letter.id })}
      >
        {(letter) => (
          <p>
            Colocar a tarefa <strong>{letter.jobName ?? 'sem nome'}</strong> de volta na fila <strong>{queueLabel(letter.sourceQueue)}</strong>, com o mesmo
            conteúdo? Faça isso depois de corrigir a causa do erro; se ele falhar de novo, volta para esta lista.
          </p>
        )}
      </ConfirmMutationDialog>

      <ResolveDialog
        resolve={procedures.resolve}
        letter={resolving}
        onClose={() => setResolving(null)}
        onResolved={(letter) => {
          setResolving(null);
          return notice.announce(`Tarefa ${letter.jobName ?? ''} marcada como resolvida.`);
        }}
      />
    </>
  );
}

function DeadLetterRow({ letter, who, onRetry, onResolve }: { letter: DeadLetter; who: (id: string | null) => string; onRetry: () => void; onResolve: () => void }) {
  const jobName = letter.jobName ?? 'sem nome';
  return (
    <tr role="row">
      <td role="cell" data-label="Fila">
        {queueLabel(letter.sourceQueue)}
        <span className="muted block mono">{letter.sourceQueue}</span>
      </td>
      <td role="cell" data-label="Tarefa">
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
          <p className={styles.detailsLabel}>Conteúdo da tarefa</p>
          <pre className={styles.json}>{JSON.stringify(letter.payload, null, 2)}</pre>
          <p className={styles.detailsLabel}>Pilha do erro</p>
          {letter.errorStack ? <pre className={styles.json}>{letter.errorStack}</pre> : <p className="muted">Não registrada.</p>}
          <p className={styles.detailsLabel}>Reenvios</p>
          {letter.retryHistory.length === 0 ? (
            <p className="muted">Nenhum reenvio ainda.</p>
          ) : (
            <ol>
              {letter.retryHistory.map((entry) => (
                <li key={`${entry.at}-${entry.newJobId ?? ''}`}>
                  {formatDateTime(entry.at)} por {who(entry.by)}
                  {entry.newJobId ? <span className="muted block mono break">nova tarefa {entry.newJobId}</span> : null}
                </li>
              ))}
            </ol>
          )}
        </details>
      </td>
      <RowActions>
        {letter.resolvedAt ? null : (
          <>
            <RowAction label="Reenviar" subject={jobName} onClick={onRetry} />
            <RowAction label="Resolver" subject={jobName} onClick={onResolve} />
          </>
        )}
      </RowActions>
    </tr>
  );
}

function ResolveDialog({
  resolve: procedure,
  letter,
  onClose,
  onResolved,
}: {
  resolve: DeadLetterProcedures['resolve'];
  letter: DeadLetter | null;
  onClose: () => void;
  onResolved: (letter: DeadLetter) => Promise<void>;
}) {
  const resolve = procedure.useMutation();
  const close = () => {
    resolve.reset();
    onClose();
  };
  return (
    <Modal open={letter !== null} title="Resolver tarefa com erro" onClose={close} busy={resolve.isPending}>
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
        Tarefa <strong className="mono">{letter.jobName ?? 'sem nome'}</strong> da fila {queueLabel(letter.sourceQueue)}. Resolver tira a tarefa
        desta lista; ela não é executada de novo.
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
