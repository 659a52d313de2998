'use client';

import { keepPreviousData } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api, type Role } from '~/lib/trpc/react';
import { roleLabels } from '../roles';
import { MatchDetail, PICKER_MATCHES, SearchPicker, searchResults, useSearchPicker } from '../ui/search-picker';

export type PickedUser = { id: string; name: string; role: Role };

/** One person of the org, searched by name or e-mail on the server (an org may have thousands). */
export function UserPicker({
  label,
  value,
  onChange,
  noneLabel,
  role,
  active,
  excludeId,
  hint,
  error,
  disabled,
}: {
  label: string;
  value: PickedUser | null;
  onChange: (user: PickedUser | null) => void;
  noneLabel: string;
  role?: Role;
  active?: boolean;
  /** Left out of the matches (the caller, when `noneLabel` already means them). */
  excludeId?: string;
  hint?: ReactNode;
  error?: string;
  disabled?: boolean;
}) {
  const state = useSearchPicker();
  const found = api.admin.users.list.useQuery(
    // One more than shown: the one left out, or a sign that there are more.
    { limit: PICKER_MATCHES + 1, search: state.term || null, role: role ?? null, active: active ?? null },
    { enabled: state.open, placeholderData: keepPreviousData },
  );
  const items = (found.data?.items ?? []).filter((u) => u.id !== excludeId);
  return (
    <SearchPicker
      state={state}
      label={label}
      chosen={value ? `${value.name} — ${roleLabels[value.role]}` : null}
      noneLabel={noneLabel}
      placeholder="Nome ou e-mail"
      {...searchResults(found, items)}
      renderMatch={(u) => (
        <>
          <span>{u.name}</span>
          <MatchDetail>
            {roleLabels[u.role]} · {u.email}
            {u.active ? '' : ' · inativo'}
          </MatchDetail>
        </>
      )}
      emptyText={(term) => `Nenhum usuário encontrado${term ? ` para “${term}”` : ''}.`}
      onPick={(u) => onChange(u && { id: u.id, name: u.name, role: u.role })}
      hint={hint}
      error={error}
      disabled={disabled}
    />
  );
}
