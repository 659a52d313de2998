'use client';

import { keepPreviousData } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '~/lib/trpc/react';
import { MatchDetail, PICKER_MATCHES, SearchPicker, searchResults, useSearchPicker } from '../ui/search-picker';

export type PickedStore = { id: string; code: string; name: string; active: boolean };

/** One store of the org, searched by name, code or city on the server (a chain may have thousands). */
export function StorePicker({
  label,
  value,
  onChange,
  noneLabel,
  active,
  excludeIds,
  trigger,
  hint,
  disabled,
  from,
}: {
  label: string;
  value: PickedStore | null;
  onChange: (store: PickedStore | null) => void;
  noneLabel?: string;
  active?: boolean;
  /** Left out of the matches (already chosen elsewhere). */
  excludeIds?: string[];
  trigger?: string;
  hint?: ReactNode;
  disabled?: boolean;
  /** `admin`: every store of the org (the admin's list; `active` narrows it). `stock`: the active stores the caller reads. */
  from: 'admin' | 'stock';
}) {
  const state = useSearchPicker();
  // The ones left out are made up for from the same page (up to the API's page size; a search finds the rest).
  const page = { limit: Math.min(200, PICKER_MATCHES + (excludeIds?.length ?? 0)), search: state.term || null };
  const everyStore = api.admin.stores.list.useQuery({ ...page, active: active ?? null }, { enabled: state.open && from === 'admin', placeholderData: keepPreviousData });
  const readable = api.stock.stores.useQuery(page, { enabled: state.open && from === 'stock', placeholderData: keepPreviousData });
  const found = from === 'admin' ? everyStore : readable;
  const items = (found.data?.items ?? []).filter((s) => !excludeIds?.includes(s.id));
  return (
    <SearchPicker
      state={state}
      label={label}
      chosen={value ? `${value.name} (${value.code})` : null}
      noneLabel={noneLabel}
      trigger={trigger}
      placeholder="Nome, código ou cidade"
      {...searchResults(found, items)}
      renderMatch={(s) => (
        <>
          <span>{s.name}</span>
          <MatchDetail>
            {s.code}
            {s.city ? ` · ${s.city}` : ''}
            {s.active ? '' : ' · inativa'}
          </MatchDetail>
        </>
      )}
      emptyText={(term) => `Nenhuma loja encontrada${term ? ` para “${term}”` : ''}.`}
      onPick={(s) => onChange(s && { id: s.id, code: s.code, name: s.name, active: s.active })}
      hint={hint}
      disabled={disabled}
    />
  );
}
