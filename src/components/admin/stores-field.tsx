'use client';

import type { ReactNode } from 'react';
import { StorePicker, type PickedStore } from '../stores/store-picker';
import styles from './admin.module.css';

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
      <StorePicker from="admin" label="Adicionar loja" trigger="Adicionar loja" value={null} onChange={(store) => store && onChange([...value, store])} active excludeIds={value.map((s) => s.id)} />
      {hint ? <p className="field-hint">{hint}</p> : null}
      {error ? <p className="field-error">{error}</p> : null}
    </fieldset>
  );
}
