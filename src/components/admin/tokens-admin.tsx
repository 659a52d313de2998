'use client';

import { randomUuid } from '~/lib/ui/uuid';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { fieldErrors } from '~/lib/trpc/errors';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { roleLabels } from '../roles';
import { useSession } from '../session';
import { CheckboxField, TextAreaField, TextField } from '../ui/fields';
import { ConfirmMutationDialog, useConfirmation, type Confirmation } from '../ui/confirm-mutation';
import { actionsColumn, DataTable } from '../ui/data-table';
import { ErrorAlert } from '../ui/feedback';
import { formatDate, formatDateTime } from '../ui/format';
import { ListNotice, useListNotice } from '../ui/list-notice';
import { Modal } from '../ui/modal';
import { PagedList, pagedItems } from '../ui/paged-list';
import { RowAction, RowActions } from '../ui/row-actions';
import { PageHeader } from '../ui/page-header';
import styles from './admin.module.css';
import { UserPicker, type PickedUser } from './user-picker';

type Token = RouterOutputs['admin']['tokens']['list']['items'][number];
type CreatedToken = RouterOutputs['admin']['tokens']['create'];

export function TokensAdmin() {
  const utils = api.useUtils();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const input = { limit: 25, includeRevoked };
  const list = api.admin.tokens.list.useInfiniteQuery(input, cursorPages);
  const [creating, setCreating] = useState(false);
  const notice = useListNotice(() => utils.admin.tokens.list.invalidate());

  const revoke = api.admin.tokens.revoke.useMutation({
    onSuccess: () => {
      revocation.close();
      return notice.announce(`Token ${revocation.target?.name ?? ''} revogado. Ele deixou de funcionar.`);
    },
  });
  const revocation: Confirmation<Token> = useConfirmation(revoke, notice.clear);

  const tokens = pagedItems(list);

  return (
    <>
      <PageHeader
        title="Tokens de API"
        description="Chaves para scripts e integrações. Cada token age como um usuário, com o papel e as lojas dele."
        actions={
          <button type="button" className="btn btn-primary" onClick={notice.clearThen(() => setCreating(true))}>
            Novo token
          </button>
        }
      />

      <form className="filters" aria-label="Filtrar tokens" onSubmit={(e) => e.preventDefault()}>
        <CheckboxField label="Mostrar tokens revogados" checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.target.checked)} />
      </form>

      <ListNotice notice={notice} />

      <PagedList
        query={list}
        loadingLabel="Carregando tokens…"
        errorTitle="Não foi possível carregar os tokens"
        empty={`Nenhum token ${includeRevoked ? '' : 'ativo '}ainda.`}
      >
        <DataTable caption="Tokens de API" columns={['Nome', 'Prefixo', 'Age como', 'Criado em', 'Expira em', 'Último uso', 'Situação', actionsColumn]}>
          {tokens.map((token) => {
            const status = tokenStatus(token);
            return (
              <tr role="row" key={token.id}>
                <th scope="row" role="rowheader" data-label="Nome">
                  {token.name}
                </th>
                <td role="cell" data-label="Prefixo" className="mono">
                  {token.prefix}…
                </td>
                <td role="cell" data-label="Age como">
                  {token.userName} <span className="muted">({roleLabels[token.userRole]})</span>
                </td>
                <td role="cell" data-label="Criado em">{formatDateTime(token.createdAt)}</td>
                <td role="cell" data-label="Expira em">{token.expiresAt ? formatDate(token.expiresAt) : 'Não expira'}</td>
                <td role="cell" data-label="Último uso">{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : 'Nunca'}</td>
                <td role="cell" data-label="Situação">
                  <span className={`badge ${status === 'Ativo' ? 'badge-ok' : 'badge-off'}`}>{status}</span>
                </td>
                <RowActions>
                  {token.revokedAt ? null : <RowAction label="Revogar" subject={token.name} danger onClick={() => revocation.ask(token)} />}
                </RowActions>
              </tr>
            );
          })}
        </DataTable>
      </PagedList>

      <CreateTokenDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={() => void utils.admin.tokens.list.invalidate()}
      />

      <ConfirmMutationDialog
        confirmation={revocation}
        title="Revogar token"
        confirmLabel="Revogar"
        pendingLabel="Revogando…"
        onConfirm={(token) => revoke.mutate({ id: token.id })}
      >
        {(token) => (
          <p>
            Revogar o token <strong>{token.name}</strong> ({token.prefix}…)? Scripts que o usam deixam de funcionar imediatamente. Não é possível
            desfazer.
          </p>
        )}
      </ConfirmMutationDialog>
    </>
  );
}

function tokenStatus(token: Token): string {
  if (token.revokedAt) return `Revogado em ${formatDate(token.revokedAt)}`;
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= Date.now()) return 'Expirado';
  return 'Ativo';
}

function CreateTokenDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const close = () => {
    // The secret leaves memory with the dialog: it is never shown again.
    setCreated(null);
    onClose();
  };
  return (
    <Modal open={open} title={created ? 'Token criado' : 'Novo token de API'} onClose={close} busy={busy}>
      {open && created ? <CreatedTokenView token={created} onDone={close} /> : null}
      {open && !created ? (
        <CreateTokenForm
          onBusyChange={setBusy}
          onCancel={close}
          onCreated={(token) => {
            setCreated(token);
            onCreated();
          }}
        />
      ) : null}
    </Modal>
  );
}

function CreateTokenForm({
  onBusyChange,
  onCancel,
  onCreated,
}: {
  onBusyChange: (busy: boolean) => void;
  onCancel: () => void;
  onCreated: (token: CreatedToken) => void;
}) {
  const { user: me } = useSession();
  const [name, setName] = useState('');
  const [actAs, setActAs] = useState<PickedUser | null>(null);
  const [expiresInDays, setExpiresInDays] = useState('90');
  // One id per opened form: a create sent again (its answer lost) re-issues this token instead of making a second.
  const [tokenId] = useState(randomUuid);
  const create = api.admin.tokens.create.useMutation({ onSuccess: onCreated });
  const pending = create.isPending;
  useEffect(() => onBusyChange(pending), [pending, onBusyChange]);
  const errors = fieldErrors(create.error);
  const [daysError, setDaysError] = useState<string | undefined>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const days = expiresInDays.trim() === '' ? null : Number(expiresInDays);
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) {
      setDaysError('Use um número inteiro de 1 a 3650, ou deixe em branco para não expirar.');
      return;
    }
    setDaysError(undefined);
    create.mutate({ id: tokenId, name, ...(actAs ? { userId: actAs.id } : {}), expiresInDays: days });
  };

  return (
    <form onSubmit={submit} noValidate className="form">
      <TextField
        label="Nome do token"
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        autoComplete="off"
        maxLength={100}
        hint="Diga para que serve, por exemplo “Integração ERP loja 12”."
        error={errors.name}
      />
      <UserPicker
        label="Agir como usuário"
        value={actAs}
        onChange={setActAs}
        noneLabel={`Eu mesmo (${me.name})`}
        active
        excludeId={me.id}
        hint="O token terá o papel e as lojas desse usuário."
        error={errors.userId}
      />
      <TextField
        label="Expira em (dias)"
        type="number"
        inputMode="numeric"
        min={1}
        max={3650}
        step={1}
        value={expiresInDays}
        onChange={(e) => setExpiresInDays(e.target.value)}
        hint="Deixe em branco para um token sem validade."
        error={daysError ?? errors.expiresInDays}
      />
      {create.isError ? <ErrorAlert error={create.error} /> : null}
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={pending}>
          Cancelar
        </button>
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {pending ? 'Criando…' : 'Criar token'}
        </button>
      </div>
    </form>
  );
}

function CreatedTokenView({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const warningId = useId();
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'failed'>('idle');
  // The form that had focus is gone; keyboard users land on the token (selected, ready to copy).
  useEffect(() => inputRef.current?.focus(), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopyState('copied');
    } catch {
      // Clipboard API needs a secure context; selecting the text lets the person copy it by hand.
      inputRef.current?.select();
      setCopyState('failed');
    }
  };

  return (
    <div className="form">
      <div className="alert alert-warning" id={warningId} role="alert">
        <p className="alert-title">Este token não será mostrado novamente.</p>
        <p>Copie agora e guarde em um cofre de senhas. Se perder, revogue este e crie outro.</p>
      </div>
      <TextAreaField
        ref={inputRef}
        label="Token"
        value={token.token}
        readOnly
        rows={3}
        spellCheck={false}
        className={`mono ${styles.tokenValue}`}
        onFocus={(e) => e.currentTarget.select()}
        aria-describedby={warningId}
        hint={`${token.name} · ${token.expiresAt ? `expira em ${formatDate(token.expiresAt)}` : 'não expira'}`}
      />
      <div className="form-actions">
        <p className={styles.copyStatus} role="status">
          {copyState === 'copied' ? 'Copiado!' : ''}
        </p>
        <button type="button" className="btn btn-secondary" onClick={() => void copy()}>
          Copiar
        </button>
        <button type="button" className="btn btn-primary" onClick={onDone}>
          Concluir
        </button>
      </div>
      {copyState === 'failed' ? <p className="field-hint">Não foi possível copiar automaticamente; o token está selecionado, use Ctrl+C.</p> : null}
    </div>
  );
}
