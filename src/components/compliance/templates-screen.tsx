'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '~/lib/trpc/errors';
import { api, type RouterInputs, type RouterOutputs } from '~/lib/trpc/react';
import { randomUuid } from '~/lib/ui/uuid';
import { useSession } from '../session';
import { EmptyState, ErrorAlert, Loading, Notice } from '../ui/feedback';
import { CheckboxField, CheckboxGroup, SelectField, TextAreaField, TextField } from '../ui/fields';
import { PageHeader } from '../ui/page-header';
import { scheduleLabels, weekdayLabels } from './labels';
import styles from './templates.module.css';

type Template = RouterOutputs['compliance']['templates']['list'][number];

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
const commaList = (text: string) => [...new Set(text.split(/[,;\n]/).map((l) => l.trim()).filter(Boolean))];

/** What a store must prove with photos, for which stores and how often. */
export function TemplatesScreen() {
  const list = api.compliance.templates.list.useQuery();
  const me = useSession();
  const storeName = (id: string) => me.stores.find((s) => s.id === id)?.name ?? 'outra loja';
  return (
    <section>
      <PageHeader title="Modelos de tarefa" description="O que cada loja deve fotografar, quando, e o que a foto precisa mostrar para ser aprovada." />
      <p>
        <Link href="/compliance" className="btn btn-secondary">← Todas as tarefas</Link>
      </p>
      <TemplateForm />
      <h2 className="section-title">Modelos</h2>
      {list.isPending ? <Loading /> : null}
      {list.error ? <ErrorAlert error={list.error} title="Não foi possível carregar os modelos" onRetry={() => void list.refetch()} /> : null}
      {list.isSuccess && list.data.length === 0 ? <EmptyState>Nenhum modelo ainda.</EmptyState> : null}
      <ul className="line-list" data-testid="compliance-templates">
        {list.data?.map((t) => (
          <TemplateLine key={t.id} template={t} stores={t.storeIds.map(storeName).join(', ')} />
        ))}
      </ul>
    </section>
  );
}

function describeSchedule(t: Template): string {
  if (t.schedule === 'once') return `em ${t.onceOn?.split('-').reverse().join('/')}`;
  if (t.schedule === 'daily') return 'todo dia';
  return `toda ${t.weekdays.map((d) => weekdayLabels[d]!.toLowerCase()).join(', ')}`;
}

function TemplateLine({ template: t, stores }: { template: Template; stores: string }) {
  const utils = api.useUtils();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const toggle = api.compliance.templates.update.useMutation({ onSuccess: () => utils.compliance.invalidate() });
  return (
    <li className="line-card">
      <div>
        <strong>{t.title}</strong> {t.active ? '' : '(desativado)'}
        <div className="muted">
          {describeSchedule(t)} até {t.dueTime} · {t.photoCount} foto(s) · {stores}
        </div>
        <div className="muted">
          {[...t.expectedLabels.map((l) => `elemento “${l}”`), ...t.expectedTexts.map((x) => `texto “${x}”`)].join(', ') || 'Sem verificação de conteúdo'}
          {t.alwaysReview ? ' · sempre revisado por uma pessoa' : ''}
        </div>
        {toggle.error ? <ErrorAlert error={toggle.error} /> : null}
        {saved && !editing ? <Notice tone="success">Modelo salvo. As tarefas já criadas seguem como estavam; as próximas usam o modelo novo.</Notice> : null}
      </div>
      <div className="inline-actions">
        <button
          type="button"
          className="btn btn-secondary"
          aria-expanded={editing}
          aria-label={`${editing ? 'Fechar a edição de' : 'Editar'} ${t.title}`}
          onClick={() => {
            setSaved(false);
            setEditing(!editing);
          }}
        >
          {editing ? 'Fechar' : 'Editar'}
        </button>
        <button type="button" className="btn btn-secondary" disabled={toggle.isPending} onClick={() => toggle.mutate({ id: t.id, version: t.version, active: !t.active })}>
          {t.active ? 'Desativar' : 'Reativar'}
        </button>
      </div>
      {editing ? (
        <div className={styles.editing}>
          <TemplateForm
            template={t}
            onSaved={(changed) => {
              setEditing(false);
              setSaved(changed);
            }}
          />
        </div>
      ) : null}
    </li>
  );
}

type TemplateFields = Required<Omit<RouterInputs['compliance']['templates']['create'], 'id'>>;

/** The fields of `next` that differ from `before` (an edit sends only what the person changed); stores and days in any order. */
function changedFields(next: TemplateFields, before: TemplateFields): Partial<TemplateFields> {
  const comparable = (key: keyof TemplateFields, value: unknown) => JSON.stringify(Array.isArray(value) && (key === 'storeIds' || key === 'weekdays') ? [...value].sort() : value);
  const keys = (Object.keys(next) as (keyof TemplateFields)[]).filter((key) => comparable(key, next[key]) !== comparable(key, before[key]));
  return Object.fromEntries(keys.map((key) => [key, next[key]])) as Partial<TemplateFields>;
}

/**
 * A new template, or (`shown`) the changes to one: only the fields changed are sent, with the version the form opened
 * on (a list refreshed meanwhile does not move it, so a change someone else saved is refused, not overwritten).
 */
function TemplateForm({ template: shown, onSaved }: { template?: Template; onSaved?: (changed: boolean) => void }) {
  const [template] = useState(shown);
  const me = useSession();
  const utils = api.useUtils();
  const [id, setId] = useState(randomUuid);
  const [title, setTitle] = useState(template?.title ?? '');
  const [instructions, setInstructions] = useState(template?.instructions ?? '');
  const [checklist, setChecklist] = useState(template?.checklist.join('\n') ?? '');
  const [photoCount, setPhotoCount] = useState(String(template?.photoCount ?? 1));
  const [labels, setLabels] = useState(template?.expectedLabels.join(', ') ?? '');
  const [texts, setTexts] = useState(template?.expectedTexts.join('\n') ?? '');
  const [alwaysReview, setAlwaysReview] = useState(template?.alwaysReview ?? false);
  const [schedule, setSchedule] = useState<'once' | 'daily' | 'weekly'>(template?.schedule ?? 'daily');
  const [onceOn, setOnceOn] = useState(template?.onceOn ?? '');
  const [weekdays, setWeekdays] = useState<string[]>(template?.weekdays.map(String) ?? []);
  const [dueTime, setDueTime] = useState(template?.dueTime ?? '18:00');
  const [storeIds, setStoreIds] = useState<string[]>(template?.storeIds ?? []);
  // A template's stores the person's own list lacks (a manager's template of other stores) stay offered, by name.
  const storeOptions = [
    ...me.stores.map((s) => ({ value: s.id, label: s.name })),
    ...(template?.storeIds ?? []).filter((sid) => !me.stores.some((s) => s.id === sid)).map((sid) => ({ value: sid, label: 'Outra loja' })),
  ];
  const update = api.compliance.templates.update.useMutation({
    onSuccess: async () => {
      await utils.compliance.invalidate();
      onSaved?.(true);
    },
  });
  const create = api.compliance.templates.create.useMutation({
    onSuccess: async () => {
      await utils.compliance.invalidate();
      setId(randomUuid());
      setTitle('');
      setInstructions('');
      setChecklist('');
      setLabels('');
      setTexts('');
    },
  });
  const saving = template ? update : create;
  const errors = saving.error ? fieldErrors(saving.error) : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const fields: TemplateFields = {
      title,
      instructions: instructions.trim() || null,
      checklist: lines(checklist),
      photoCount: Number(photoCount),
      expectedLabels: commaList(labels),
      expectedTexts: lines(texts),
      alwaysReview,
      schedule,
      onceOn: schedule === 'once' ? onceOn || null : null,
      weekdays: schedule === 'weekly' ? weekdays.map(Number) : [],
      dueTime,
      storeIds,
    };
    if (!template) return create.mutate({ id, ...fields });
    const changed = changedFields(fields, {
      title: template.title,
      instructions: template.instructions,
      checklist: template.checklist,
      photoCount: template.photoCount,
      expectedLabels: template.expectedLabels,
      expectedTexts: template.expectedTexts,
      alwaysReview: template.alwaysReview,
      schedule: template.schedule,
      onceOn: template.onceOn,
      weekdays: template.weekdays,
      dueTime: template.dueTime,
      storeIds: template.storeIds,
    });
    if (Object.keys(changed).length === 0) return onSaved?.(false);
    update.mutate({ id: template.id, version: template.version, ...changed });
  };
  const heading = template ? `Editar ${template.title}` : 'Novo modelo de tarefa';
  return (
    <form className="card" onSubmit={submit} aria-label={heading}>
      <h2 className="section-title">{template ? 'Editar modelo' : 'Novo modelo'}</h2>
      <TextField label="Título" required value={title} onChange={(e) => setTitle(e.target.value)} maxLength={120} error={errors.title} />
      <TextAreaField label="Instruções" value={instructions} onChange={(e) => setInstructions(e.target.value)} rows={2} maxLength={2000} />
      <TextAreaField label="Lista de verificação (um item por linha)" value={checklist} onChange={(e) => setChecklist(e.target.value)} rows={3} error={errors.checklist} />
      <SelectField label="Fotos pedidas" value={photoCount} onChange={(e) => setPhotoCount(e.target.value)}>
        {[1, 2, 3, 4, 5, 6].map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Elementos que a foto deve mostrar (separados por vírgula)"
        hint="Ex.: prateleira, etiqueta de preço, geladeira — ou os nomes em inglês do Google Vision (shelf, price tag)."
        value={labels}
        onChange={(e) => setLabels(e.target.value)}
        error={errors.expectedLabels}
      />
      <TextAreaField
        label="Textos que a foto deve mostrar (um por linha)"
        hint="Um preço promocional (R$ 9,99), uma marca ou um produto. Maiúsculas, acentos e o formato do preço não importam."
        value={texts}
        onChange={(e) => setTexts(e.target.value)}
        rows={2}
        error={errors.expectedTexts}
      />
      <CheckboxField label="Sempre revisar por uma pessoa" checked={alwaysReview} onChange={(e) => setAlwaysReview(e.target.checked)} />
      <SelectField label="Quando" value={schedule} onChange={(e) => setSchedule(e.target.value as typeof schedule)}>
        {(['daily', 'weekly', 'once'] as const).map((s) => (
          <option key={s} value={s}>
            {scheduleLabels[s]}
          </option>
        ))}
      </SelectField>
      {schedule === 'once' ? <TextField label="Dia" type="date" required value={onceOn} onChange={(e) => setOnceOn(e.target.value)} error={errors.onceOn} /> : null}
      {schedule === 'weekly' ? (
        <CheckboxGroup legend="Dias da semana" options={weekdayLabels.map((label, i) => ({ value: String(i), label }))} value={weekdays} onChange={setWeekdays} error={errors.weekdays} />
      ) : null}
      <TextField label="Prazo no dia" type="time" required value={dueTime} onChange={(e) => setDueTime(e.target.value)} error={errors.dueTime} />
      <CheckboxGroup legend="Lojas" options={storeOptions} value={storeIds} onChange={setStoreIds} error={errors.storeIds} />
      {saving.error && Object.keys(errors).length === 0 ? <ErrorAlert error={saving.error} /> : null}
      {!template && create.isSuccess ? <Notice tone="success">Modelo criado; as tarefas de hoje já estão nas lojas.</Notice> : null}
      <button type="submit" className="btn btn-primary" disabled={saving.isPending}>
        {template ? 'Salvar alterações' : 'Criar modelo'}
      </button>
    </form>
  );
}
