'use client';

import { useState, type FormEvent } from 'react';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { ErrorAlert, Loading, Notice } from '../ui/feedback';
import { roleLabels } from '../roles';
import styles from './inventory.module.css';

type Person = RouterOutputs['inventory']['assignableCounters']['people'][number];
type Choice = { assigned: boolean; zones: string };

const splitZones = (text: string) => [...new Set(text.split(/[,;]/).map((z) => z.trim().slice(0, 50)).filter(Boolean))];

/** The form's starting point: who is assigned now, their zones as "A, B" ('' = any zone). */
function choicesOf(people: Person[]): Record<string, Choice> {
  return Object.fromEntries(people.map((p) => [p.userId, { assigned: p.zones.length > 0, zones: p.zones.filter(Boolean).join(', ') }]));
}

/**
 * Who counts in a session: the store's clerks and managers as large checkboxes, each with an optional zone.
 * Saving sends the whole list (inventory.assign replaces it), so unticking someone takes them off.
 */
export function AssignmentPicker({ sessionId, zones, disabled }: { sessionId: string; zones: string[]; disabled: boolean }) {
  const utils = api.useUtils();
  const people = api.inventory.assignableCounters.useQuery({ sessionId });
  // Here, not in the form: the form starts over from the server's answer after saving, the outcome stays.
  const assign = api.inventory.assign.useMutation({
    // Saving ends once the picker shows what the server now holds.
    onSuccess: () =>
      Promise.all([
        utils.inventory.assignableCounters.invalidate({ sessionId }),
        utils.inventory.byId.invalidate({ id: sessionId }),
        utils.inventory.progress.invalidate({ sessionId }),
      ]),
  });
  if (people.isPending) return <Loading label="Carregando operadores…" />;
  if (people.error) return <ErrorAlert error={people.error} title="Não foi possível carregar os operadores" onRetry={() => void people.refetch()} />;
  // A fresh answer from the server (after saving) starts the form again from it.
  return <PickerForm key={JSON.stringify(people.data.people)} sessionId={sessionId} people={people.data.people} zones={zones} disabled={disabled} assign={assign} />;
}

type PickerFormProps = {
  sessionId: string;
  people: Person[];
  zones: string[];
  disabled: boolean;
  assign: ReturnType<typeof api.inventory.assign.useMutation>;
};

function PickerForm({ sessionId, people, zones, disabled, assign }: PickerFormProps) {
  const initial = choicesOf(people);
  const [choices, setChoices] = useState(initial);
  const changed = JSON.stringify(choices) !== JSON.stringify(initial);
  const set = (userId: string, patch: Partial<Choice>) => {
    assign.reset();
    setChoices((c) => ({ ...c, [userId]: { ...c[userId]!, ...patch } }));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const assignments = people.flatMap((p) => {
      const choice = choices[p.userId]!;
      if (!choice.assigned) return [];
      const list = splitZones(choice.zones);
      return list.length ? list.map((zone) => ({ userId: p.userId, zone })) : [{ userId: p.userId, zone: '' }];
    });
    assign.mutate({ sessionId, assignments });
  };

  return (
    <form className="card form" onSubmit={submit} aria-label="Quem conta" data-testid="assignment-picker">
      <h2 className="section-title">Quem conta</h2>
      {people.length === 0 ? <p className="muted">Nenhum operador ou gerente trabalha nesta loja. Peça a um administrador para incluir pessoas nela.</p> : null}
      <ul className={styles.pickList}>
        {people.map((p) => {
          const choice = choices[p.userId]!;
          const boxId = `assign-${p.userId}`;
          return (
            <li key={p.userId} className={styles.pickRow}>
              <span className="checkbox-field">
                <input id={boxId} type="checkbox" className={styles.bigCheck} checked={choice.assigned} disabled={disabled} onChange={(e) => set(p.userId, { assigned: e.target.checked })} />
                <label htmlFor={boxId}>
                  <strong>{p.name}</strong> · {roleLabels[p.role]}
                  {!p.worksAtStore ? ' · não é desta loja' : ''}
                  {!p.active ? ' · inativo' : ''}
                </label>
              </span>
              <input
                className="input"
                aria-label={`Zona de ${p.name}`}
                placeholder="Zona (opcional)"
                list="assign-zones"
                value={choice.zones}
                disabled={disabled || !choice.assigned}
                onChange={(e) => set(p.userId, { zones: e.target.value })}
              />
            </li>
          );
        })}
      </ul>
      <p className="muted">Sem zona, a pessoa conta em qualquer zona; para mais de uma, separe por vírgula.</p>
      <datalist id="assign-zones">
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <ErrorAlert error={assign.error} title="Não foi possível salvar quem conta" />
      {assign.isSuccess && !changed ? <Notice tone="success">Designações salvas.</Notice> : null}
      {!disabled ? (
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={!changed || assign.isPending}>
            {assign.isPending ? 'Salvando…' : 'Salvar designações'}
          </button>
        </div>
      ) : null}
    </form>
  );
}
