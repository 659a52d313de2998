'use client';

import { keepPreviousData } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '~/lib/trpc/react';
import { MatchDetail, PICKER_MATCHES, SearchPicker, useSearchPicker } from '../ui/search-picker';
import styles from './admin.module.css';

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
}) {
  const state = useSearchPicker();
  const found = api.admin.stores.list.useQuery(
    // The ones left out are made up for from the same page (up to the API's page size; a search finds the rest).
    { limit: Math.min(200, PICKER_MATCHES + (excludeIds?.length ?? 0)), search: state.term || null, active: active ?? null },
    { enabled: state.open, placeholderData: keepPreviousData },
  );
  const items = (found.data?.items ?? []).filter((s) => !excludeIds?.includes(s.id));
  return (
    <SearchPicker
      state={state}
      label={label}
      chosen={value ? `${value.name} (${value.code})` : null}
      noneLabel={noneLabel}
      trigger={trigger}
      placeholder="Nome, código ou cidade"
      matches={items.slice(0, PICKER_MATCHES)}
      more={items.length > PICKER_MATCHES || found.data?.nextCursor != null}
      loading={found.isPending}
      stale={found.isPlaceholderData}
      queryError={found.error}
      onRetry={() => void found.refetch()}
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

/**
 * Several stores (a person's): the chosen ones as a list, each with a large "Remover", and a search to add
 * another. A chain may have thousands of stores; none of them is loaded until asked for.
 */
export function StoresField({
  legend,
  value,
  onChange,
  hint,
  error,
}: {
  legend: string;
  value: PickedStore[];
  onChange: (stores: PickedStore[]) => void;
  hint?: ReactNode;
  error?: string;
}) {
  return (
    <fieldset className={`field${error ? ' field-invalid' : ''}`}>
      <legend className="field-label">{legend}</legend>
      {value.length > 0 ? (
        <ul className={styles.chosenList} aria-label={`${legend} escolhidas`}>
          {value.map((store) => (
            <li key={store.id}>
              <span>
                {store.name} ({store.code}){store.active ? '' : ' — inativa'}
              </span>
              <button type="button" className="btn btn-ghost btn-small" onClick={() => onChange(value.filter((s) => s.id !== store.id))} aria-label={`Remover ${store.name}`}>
                Remover
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Nenhuma loja.</p>
      )}
      <StorePicker label="Adicionar loja" trigger="Adicionar loja" value={null} onChange={(store) => store && onChange([...value, store])} active excludeIds={value.map((s) => s.id)} />
      {hint ? <p className="field-hint">{hint}</p> : null}
      {error ? <p className="field-error">{error}</p> : null}
    </fieldset>
  );
}
