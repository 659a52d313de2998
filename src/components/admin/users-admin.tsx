'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { describeError, errorReason, fieldErrors } from '~/lib/trpc/errors';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api, type Role, type RouterOutputs } from '~/lib/trpc/react';
import { roleLabels, roles } from '../roles';
import { useSession } from '../session';
import { CheckboxField, SelectField, TextField } from '../ui/fields';
import { ConfirmMutationDialog, useConfirmation, type Confirmation } from '../ui/confirm-mutation';
import { actionsColumn, DataTable } from '../ui/data-table';
import { ErrorAlert } from '../ui/feedback';
import { ListNotice, useListNotice } from '../ui/list-notice';
import { Modal } from '../ui/modal';
import { PagedList, pagedItems } from '../ui/paged-list';
import { EditAndActiveActions, RowAction } from '../ui/row-actions';
import { PageHeader } from '../ui/page-header';
import { useDebouncedValue } from '../ui/use-debounced-value';
import type { PickedStore } from '../stores/store-picker';
import { StoresField } from './stores-field';

type User = RouterOutputs['admin']['users']['list']['items'][number];
type ActiveFilter = 'all' | 'active' | 'inactive';

const PAGE_SIZE = 25;

export function UsersAdmin() {
  const utils = api.useUtils();
  // Nobody deactivates themselves (the server refuses it too), so their own row offers no such button.
  const { user: me } = useSession();
  const [search, setSearch] = useState('');
  const [roleFilter, setRoleFilter] = useState<Role | ''>('');
  const [activeFilter, setActiveFilter] = useState<ActiveFilter>('all');
  const debouncedSearch = useDebouncedValue(search.trim(), 300);

  const input = {
    limit: PAGE_SIZE,
    search: debouncedSearch || null,
    role: roleFilter || null,
    active: activeFilter === 'all' ? null : activeFilter === 'active',
  };
  const list = api.admin.users.list.useInfiniteQuery(input, cursorPages);

  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const notice = useListNotice(() => utils.admin.users.list.invalidate());

  const setActive = api.admin.users.update.useMutation({
    onSuccess: (user) => {
      deactivation.close();
      return notice.announce(user.active ? `${user.name} foi reativado(a).` : `${user.name} foi desativado(a) e desconectado(a) de todos os dispositivos.`);
    },
  });
  const deactivation: Confirmation<User> = useConfirmation(setActive, notice.clear);
  // A temporary code, shown once: right after creating a user or resetting their password.
  const [issued, setIssued] = useState<IssuedCode | null>(null);
  const reset = api.admin.users.resetPassword.useMutation({
    onSuccess: (user) => {
      resetting.close();
      setIssued({ name: user.name, email: user.email, code: user.temporaryPassword, created: false });
      return utils.admin.users.list.invalidate();
    },
  });
  const resetting: Confirmation<User> = useConfirmation(reset, notice.clear);

  const users = pagedItems(list);

  return (
    <>
      <PageHeader
        title="Usuários"
        description="Quem acessa o MyInventory na sua rede, com qual papel e em quais lojas."
        actions={
          <button type="button" className="btn btn-primary" onClick={notice.clearThen(() => setEditing('new'))}>
            Novo usuário
          </button>
        }
      />

      <form className="filters" role="search" aria-label="Filtrar usuários" onSubmit={(e) => e.preventDefault()}>
        <TextField label="Buscar por nome ou e-mail" type="search" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
        <SelectField label="Papel" value={roleFilter} onChange={(e) => setRoleFilter(e.target.value as Role | '')}>
          <option value="">Todos os papéis</option>
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleLabels[r]}
            </option>
          ))}
        </SelectField>
        <SelectField label="Situação" value={activeFilter} onChange={(e) => setActiveFilter(e.target.value as ActiveFilter)}>
          <option value="all">Todos</option>
          <option value="active">Ativos</option>
          <option value="inactive">Inativos</option>
        </SelectField>
      </form>

      <ListNotice notice={notice} />
      {setActive.isError && !deactivation.target ? <ErrorAlert error={setActive.error} title="Não foi possível alterar o usuário" /> : null}

      <PagedList
        query={list}
        loadingLabel="Carregando usuários…"
        errorTitle="Não foi possível carregar os usuários"
        empty="Nenhum usuário encontrado com esses filtros."
      >
        <DataTable caption="Usuários" columns={['Nome', 'E-mail', 'Papel', 'Lojas', 'Situação', actionsColumn]}>
          {users.map((user) => (
            <tr role="row" key={user.id}>
              <th scope="row" role="rowheader" data-label="Nome">
                {user.name}
              </th>
              <td role="cell" data-label="E-mail">
                {user.email}
              </td>
              <td role="cell" data-label="Papel">{roleLabels[user.role]}</td>
              <td role="cell" data-label="Lojas">{storeSummary(user)}</td>
              <td role="cell" data-label="Situação">
                <span className={`badge ${user.active ? 'badge-ok' : 'badge-off'}`}>{user.active ? 'Ativo' : 'Inativo'}</span>
                {user.passwordTemporary ? <span className="badge badge-pending">Senha temporária</span> : null}
              </td>
              <EditAndActiveActions
                subject={user.name}
                active={user.active}
                onEdit={notice.clearThen(() => setEditing(user))}
                onDeactivate={() => deactivation.ask(user)}
                onReactivate={notice.clearThen(() => setActive.mutate({ id: user.id, active: true }))}
                reactivating={setActive.isPending}
                switchable={user.id !== me.id}
              >
                {user.id !== me.id && user.active ? <RowAction label="Nova senha temporária" subject={user.name} onClick={() => resetting.ask(user)} /> : null}
              </EditAndActiveActions>
            </tr>
          ))}
        </DataTable>
      </PagedList>

      <UserFormDialog
        user={editing}
        onClose={() => setEditing(null)}
        onSaved={(message) => {
          setEditing(null);
          return notice.announce(message);
        }}
        onCreated={(user) => {
          setEditing(null);
          setIssued({ name: user.name, email: user.email, code: user.temporaryPassword ?? '', created: true });
          return utils.admin.users.list.invalidate();
        }}
      />

      <TemporaryCodeDialog issued={issued} onClose={() => setIssued(null)} />

      <ConfirmMutationDialog
        confirmation={resetting}
        title="Nova senha temporária"
        confirmLabel="Gerar senha temporária"
        pendingLabel="Gerando…"
        onConfirm={(user) => reset.mutate({ id: user.id })}
      >
        {(user) => (
          <p>
            Gerar uma senha temporária para <strong>{user.name}</strong> ({user.email})? A senha atual deixa de valer e a pessoa é desconectada de todos
            os dispositivos. No próximo acesso, ela escolhe uma senha nova.
          </p>
        )}
      </ConfirmMutationDialog>

      <ConfirmMutationDialog
        confirmation={deactivation}
        title="Desativar usuário"
        confirmLabel="Desativar"
        pendingLabel="Desativando…"
        onConfirm={(user) => setActive.mutate({ id: user.id, active: false })}
      >
        {(user) => (
          <p>
            Desativar <strong>{user.name}</strong> ({user.email})? A pessoa será desconectada de todos os dispositivos e não conseguirá entrar até ser
            reativada.
          </p>
        )}
      </ConfirmMutationDialog>
    </>
  );
}

function storeSummary(user: User): string {
  if (user.stores.length === 0) return user.role === 'manager' || user.role === 'admin' ? 'Todas (pelo papel)' : 'Nenhuma';
  return user.stores.map((s) => s.name).join(', ');
}

type UserFormDialogProps = {
  user: User | 'new' | null;
  onClose: () => void;
  onSaved: (message: string) => void | Promise<void>;
  onCreated: (user: RouterOutputs['admin']['users']['create']) => void | Promise<unknown>;
};

function UserFormDialog({ user, ...rest }: UserFormDialogProps) {
  const [busy, setBusy] = useState(false);
  const title = user === 'new' ? 'Novo usuário' : `Editar ${user?.name ?? ''}`;
  return (
    <Modal open={user !== null} title={title} onClose={rest.onClose} busy={busy}>
      {user !== null ? <UserForm key={user === 'new' ? 'new' : user.id} user={user} onBusyChange={setBusy} {...rest} /> : null}
    </Modal>
  );
}

function UserForm({
  user,
  onClose,
  onSaved,
  onCreated,
  onBusyChange,
}: Omit<UserFormDialogProps, 'user'> & { user: User | 'new'; onBusyChange: (busy: boolean) => void }) {
  const { user: me } = useSession();
  const isNew = user === 'new';
  const existing = user !== 'new' ? user : null;
  const editingSelf = existing?.id === me.id;

  const [name, setName] = useState(existing?.name ?? '');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>(existing?.role ?? 'clerk');
  const [active, setActive] = useState(existing?.active ?? true);
  const [stores, setStores] = useState<PickedStore[]>(existing?.stores ?? []);
  const storeIds = stores.map((s) => s.id);

  const create = api.admin.users.create.useMutation({ onSuccess: (u) => onCreated(u) });
  const update = api.admin.users.update.useMutation({ onSuccess: (u) => onSaved(`Usuário ${u.name} atualizado.`) });
  const mutation = isNew ? create : update;
  const pending = mutation.isPending;
  useEffect(() => onBusyChange(pending), [pending, onBusyChange]);
  const errors = fieldErrors(mutation.error);
  // The server's e-mail uniqueness conflict belongs next to the e-mail field.
  if (errorReason(mutation.error) === 'email_taken') errors.email = describeError(mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (isNew) create.mutate({ name, email, role, storeIds });
    else if (existing)
      update.mutate({
        id: existing.id,
        name,
        ...(editingSelf ? {} : { role, active }),
        storeIds,
      });
  };

  return (
    <form onSubmit={submit} noValidate className="form">
      <TextField label="Nome" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" error={errors.name} maxLength={120} />
      {isNew ? (
        <TextField
          label="E-mail"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          autoComplete="off"
          inputMode="email"
          error={errors.email}
        />
      ) : (
        <p className="readonly-field">
          <span className="field-label">E-mail</span> {existing?.email}
        </p>
      )}
      <SelectField
        label="Papel"
        value={role}
        onChange={(e) => setRole(e.target.value as Role)}
        required
        disabled={editingSelf}
        hint={editingSelf ? 'Você não pode mudar o seu próprio papel.' : undefined}
        error={errors.role}
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {roleLabels[r]}
          </option>
        ))}
      </SelectField>
      {isNew ? <p className="field-hint">Ao criar, o sistema gera uma senha temporária para você entregar à pessoa; no primeiro acesso ela escolhe a própria senha.</p> : null}
      {!isNew ? (
        <CheckboxField
          label="Ativo"
          checked={active}
          onChange={(e) => setActive(e.target.checked)}
          disabled={editingSelf}
          hint={editingSelf ? 'Você não pode desativar a si mesmo.' : 'Desativar desconecta a pessoa de todos os dispositivos.'}
        />
      ) : null}
      <StoresField
        legend="Lojas"
        value={stores}
        onChange={setStores}
        error={errors.storeIds}
        hint="Operadores e compradores só veem as lojas da lista; gerentes e administradores veem todas."
      />
      {mutation.isError && !errors.email ? <ErrorAlert error={mutation.error} /> : null}
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onClose} disabled={mutation.isPending}>
          Cancelar
        </button>
        <button type="submit" className="btn btn-primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Salvando…' : isNew ? 'Criar usuário' : 'Salvar alterações'}
        </button>
      </div>
    </form>
  );
}

type IssuedCode = { name: string; email: string; code: string; created: boolean };

/**
 * A temporary code, shown this once (the server keeps only its hash): to hand over in person or read out. It signs
 * in for 72 hours, and only to choose a password of the person's own.
 */
function TemporaryCodeDialog({ issued, onClose }: { issued: IssuedCode | null; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [issued]);
  return (
    <Modal open={issued !== null} title={issued?.created ? `Usuário ${issued.name} criado` : `Senha temporária de ${issued?.name ?? ''}`} onClose={onClose} role="alertdialog">
      {issued ? (
        <div className="form">
          <p>
            Entregue esta senha temporária a <strong>{issued.name}</strong> ({issued.email}). Ela aparece só agora e vale por 72 horas; no primeiro
            acesso, a pessoa escolhe a própria senha.
          </p>
          <p className="temporary-code mono" data-testid="temporary-code">
            {issued.code}
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() =>
                void navigator.clipboard
                  ?.writeText(issued.code)
                  .then(() => setCopied(true))
                  .catch(() => setCopied(false))
              }
            >
              {copied ? 'Copiada' : 'Copiar'}
            </button>
            <button type="button" className="btn btn-primary" onClick={onClose} data-autofocus>
              Pronto
            </button>
          </div>
        </div>
      ) : null}
    </Modal>
  );
}
