'use client';

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { fieldErrors } from '~/lib/trpc/errors';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { roleLabels } from '../roles';
import { useSession } from '../session';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../ui/fields';
import { EmptyState, ErrorAlert, Loading, Notice } from '../ui/feedback';
import { formatDate, formatDateTime } from '../ui/format';
import { LoadMore } from '../ui/load-more';
import { ConfirmDialog, Modal } from '../ui/modal';
import { PageHeader } from '../ui/page-header';

type Token = RouterOutputs['admin']['tokens']['list']['items'][number];
type CreatedToken = RouterOutputs['admin']['tokens']['create'];

export function TokensAdmin() {
  const utils = api.useUtils();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const input = { limit: 25, includeRevoked };
  const list = api.admin.tokens.list.useInfiniteQuery(input, cursorPages);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const revoke = api.admin.tokens.revoke.useMutation({
    onSuccess: async () => {
      setNotice(`Token ${revoking?.name ?? ''} revogado. Ele deixou de funcionar.`);
      setRevoking(null);
      await utils.admin.tokens.list.invalidate();
    },
  });

  const tokens = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader
        title="Tokens de API"
        description="Chaves para scripts e integrações. Cada token age como um usuário, com o papel e as lojas dele."
        actions={
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              setNotice(null);
              setCreating(true);
            }}
          >
            Novo token
          </button>
        }
      />

      <form className="filters" aria-label="Filtrar tokens" onSubmit={(e) => e.preventDefault()}>
        <CheckboxField label="Mostrar tokens revogados" checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.target.checked)} />
      </form>

      {notice ? <Notice tone="success">{notice}</Notice> : null}

      {list.isPending ? (
        <Loading label="Carregando tokens…" />
      ) : list.isError && !list.data ? (
        <ErrorAlert error={list.error} title="Não foi possível carregar os tokens" onRetry={() => void list.refetch()} />
      ) : tokens.length === 0 ? (
        <EmptyState>Nenhum token {includeRevoked ? '' : 'ativo '}ainda.</EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="data-table" role="table">
              <caption className="sr-only">Tokens de API</caption>
              <thead role="rowgroup">
                <tr role="row">
                  <th scope="col" role="columnheader">Nome</th>
                  <th scope="col" role="columnheader">Prefixo</th>
                  <th scope="col" role="columnheader">Age como</th>
                  <th scope="col" role="columnheader">Criado em</th>
                  <th scope="col" role="columnheader">Expira em</th>
                  <th scope="col" role="columnheader">Último uso</th>
                  <th scope="col" role="columnheader">Situação</th>
                  <th scope="col" role="columnheader">
                    <span className="sr-only">Ações</span>
                  </th>
                </tr>
              </thead>
              <tbody role="rowgroup">
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
                      <td role="cell" className="row-actions">
                        {token.revokedAt ? null : (
                          <button
                            type="button"
                            className="btn btn-danger-outline btn-small"
                            aria-label={`Revogar ${token.name}`}
                            onClick={() => {
                              setNotice(null);
                              revoke.reset();
                              setRevoking(token);
                            }}
                          >
                            Revogar
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <LoadMore query={list} shown={tokens.length} />
        </>
      )}

      <CreateTokenDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={() => void utils.admin.tokens.list.invalidate()}
      />

      <ConfirmDialog
        open={revoking !== null}
        title="Revogar token"
        confirmLabel="Revogar"
        pendingLabel="Revogando…"
        pending={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id })}
        error={revoke.isError ? <ErrorAlert error={revoke.error} /> : null}
      >
        <p>
          Revogar o token <strong>{revoking?.name}</strong> ({revoking?.prefix}…)? Scripts que o usam deixam de funcionar imediatamente. Não
          é possível desfazer.
        </p>
      </ConfirmDialog>
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
  const [userId, setUserId] = useState('');
  const [expiresInDays, setExpiresInDays] = useState('90');
  const users = api.admin.users.list.useQuery({ limit: 200, active: true });
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
    create.mutate({ name, ...(userId ? { userId } : {}), expiresInDays: days });
  };

  const others = (users.data?.items ?? []).filter((u) => u.id !== me.id);

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
      <SelectField
        label="Agir como usuário"
        value={userId}
        onChange={(e) => setUserId(e.target.value)}
        disabled={users.isPending}
        hint={users.isPending ? 'Carregando usuários…' : 'O token terá o papel e as lojas desse usuário.'}
        error={errors.userId}
      >
        <option value="">Eu mesmo ({me.name})</option>
        {others.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name} — {roleLabels[u.role]}
          </option>
        ))}
      </SelectField>
      {users.isError ? <ErrorAlert error={users.error} title="Não foi possível carregar os usuários" /> : null}
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
        className="mono token-value"
        onFocus={(e) => e.currentTarget.select()}
        aria-describedby={warningId}
        hint={`${token.name} · ${token.expiresAt ? `expira em ${formatDate(token.expiresAt)}` : 'não expira'}`}
      />
      <div className="form-actions">
        <p className="copy-status" role="status">
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
