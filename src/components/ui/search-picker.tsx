'use client';

import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { ErrorAlert, type ErrorLike } from './feedback';
import { describedBy, FieldNotes } from './fields';
import styles from './search-picker.module.css';
import { useDebouncedValue } from './use-debounced-value';

/** How many matches a picker shows: a few large buttons, and a search to reach the others. */
export const PICKER_MATCHES = 8;

/**
 * A picker's matches and their state from the query that searched them (`items`: its page, less any left out): the
 * first PICKER_MATCHES, whether there are more, loading, a previous search still shown, the error and a retry.
 */
export function searchResults<T>(
  found: { data?: { nextCursor?: string | null } | undefined; isPending: boolean; isPlaceholderData: boolean; error: ErrorLike | null; refetch: () => unknown },
  items: T[],
) {
  return {
    matches: items.slice(0, PICKER_MATCHES),
    more: items.length > PICKER_MATCHES || found.data?.nextCursor != null,
    loading: found.isPending,
    stale: found.isPlaceholderData,
    queryError: found.error,
    onRetry: () => void found.refetch(),
  };
}

/** Whether the picker is open and what is typed in it; the caller's query reads `term` (debounced) while `open`. */
export function useSearchPicker() {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  /** Enter was pressed before the matches for what is typed arrived (a scanner, a fast typist): picks when they do. */
  const [enterPending, setEnterPending] = useState(false);
  const term = useDebouncedValue(search.trim(), 250);
  return {
    open,
    search,
    term,
    /** The matches on screen are for what is typed now (not a previous search still shown). */
    settled: term === search.trim(),
    enterPending,
    setEnterPending,
    setSearch: (value: string) => {
      setSearch(value);
      setEnterPending(false);
    },
    show: () => setOpen(true),
    close: () => {
      setOpen(false);
      setSearch('');
      setEnterPending(false);
    },
  };
}

export type SearchPickerState = ReturnType<typeof useSearchPicker>;

/**
 * One thing among thousands (a person, a store), found by a search on the server, never loaded whole into a
 * select. Closed, the field shows what is chosen (`chosen`, or `noneLabel`) and an "Escolher" button (or only a
 * `trigger` button); open, a search box labelled `label` and the matches as large buttons, `noneLabel` first.
 * Enter picks the one match of what is typed (pressed before the matches arrive, when they do), Escape closes without
 * changing anything; either way the focus returns to the button that opened it.
 */
export function SearchPicker<T extends { id: string }>({
  state,
  label,
  chosen,
  noneLabel,
  trigger,
  placeholder,
  matches,
  more,
  loading,
  stale,
  queryError,
  onRetry,
  renderMatch,
  emptyText,
  onPick,
  hint,
  error,
  disabled,
}: {
  state: SearchPickerState;
  label: string;
  /** What is chosen now, as the field shows it; null: `noneLabel`. */
  chosen: string | null;
  /** The "nothing chosen" answer, offered first among the matches; without it, a match must be picked. */
  noneLabel?: string;
  /** Closed, only a button with this text (a picker that adds to a list, such as "Adicionar loja"). */
  trigger?: string;
  placeholder: string;
  matches: T[];
  /** There are more matches than shown. */
  more: boolean;
  loading: boolean;
  /** The matches shown are a previous search's, while this one loads. */
  stale: boolean;
  queryError: ErrorLike | null;
  onRetry: () => void;
  renderMatch: (item: T) => ReactNode;
  emptyText: (term: string) => string;
  onPick: (item: T | null) => void;
  hint?: ReactNode;
  error?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const opener = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  // Closed (a pick, Escape, "Fechar a busca"): the focus goes back to the button that opened it, not to the page.
  useEffect(() => {
    if (wasOpen.current && !state.open) opener.current?.focus();
    wasOpen.current = state.open;
  }, [state.open]);
  const pick = (item: T | null) => {
    onPick(item);
    state.close();
  };
  // What Enter takes: the one match of what is typed. With several, or nothing typed, it is not guessed.
  const only = state.search.trim() && state.settled && !stale && !loading && matches.length === 1 ? matches[0]! : null;
  const { enterPending, setEnterPending } = state;
  useEffect(() => {
    if (!enterPending || !state.settled || stale || loading) return;
    setEnterPending(false);
    if (only) pick(only);
  });
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      // Closes the picker only, not a dialog around it.
      event.preventDefault();
      event.stopPropagation();
      state.close();
    } else if (event.key === 'Enter') {
      // Enter in the search box picks, never submits the form around it.
      event.preventDefault();
      if (only) pick(only);
      else if (state.search.trim() && (!state.settled || stale || loading)) setEnterPending(true);
    }
  };

  const noted = describedBy(id, hint, error);
  const footer = <FieldNotes id={id} hint={hint} error={error} />;

  if (!state.open && trigger) {
    return (
      <div className="field">
        <button ref={opener} type="button" className="btn btn-secondary" onClick={state.show} disabled={disabled} aria-describedby={noted}>
          {trigger}
        </button>
        {footer}
      </div>
    );
  }
  if (!state.open) {
    return (
      <div className={`field${error ? ' field-invalid' : ''}`}>
        <span id={`${id}-label`} className="field-label">
          {label}
        </span>
        <div className={styles.current}>
          <output aria-labelledby={`${id}-label`} aria-describedby={noted} className={styles.chosen}>
            {chosen ?? noneLabel ?? '—'}
          </output>
          <button ref={opener} type="button" className="btn btn-secondary" onClick={state.show} disabled={disabled} aria-label={`${label}: escolher`}>
            Escolher
          </button>
        </div>
        {footer}
      </div>
    );
  }

  return (
    <div className={`field ${styles.open}${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <input
        id={id}
        type="search"
        className="input"
        value={state.search}
        onChange={(e) => state.setSearch(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder={placeholder}
        autoComplete="off"
        enterKeyHint="search"
        // The field opened because the person asked for it: their next key is the search.
        autoFocus
        aria-describedby={noted}
        maxLength={100}
      />
      <ul className={styles.matches} aria-label={`Resultados: ${label}`} aria-busy={loading || stale}>
        {noneLabel ? (
          <li>
            <button type="button" className={`btn btn-secondary ${styles.match}`} onClick={() => pick(null)}>
              {noneLabel}
            </button>
          </li>
        ) : null}
        {matches.map((item) => (
          <li key={item.id}>
            <button type="button" className={`btn btn-secondary ${styles.match}`} onClick={() => pick(item)}>
              {renderMatch(item)}
            </button>
          </li>
        ))}
      </ul>
      <p className="field-hint" role="status">
        {queryError
          ? null
          : loading
          ? 'Buscando…'
          : matches.length === 0
            ? emptyText(state.term)
            : more
              ? `Mostrando os ${PICKER_MATCHES} primeiros; digite mais para achar outros.`
              : only
                ? 'Enter escolhe o único resultado.'
                : null}
      </p>
      {queryError ? <ErrorAlert error={queryError} title="Não foi possível buscar" onRetry={onRetry} /> : null}
      <div>
        <button type="button" className="btn btn-ghost" onClick={state.close}>
          Fechar a busca
        </button>
      </div>
      {footer}
    </div>
  );
}

/** A match's second line (role and e-mail, a store's city): smaller and muted. */
export function MatchDetail({ children }: { children: ReactNode }) {
  return <span className={styles.detail}>{children}</span>;
}
