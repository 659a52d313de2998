'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '~/lib/trpc/errors';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { randomUuid } from '~/lib/ui/uuid';
import { useSession } from '../session';
import { EmptyState, ErrorAlert, Loading, Notice } from '../ui/feedback';
import { CheckboxField, CheckboxGroup, SelectField, TextAreaField, TextField } from '../ui/fields';
import { PageHeader } from '../ui/page-header';
import { scheduleLabels, weekdayLabels } from './labels';

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
      </div>
      <div className="inline-actions">
        <button type="button" className="btn btn-secondary" disabled={toggle.isPending} onClick={() => toggle.mutate({ id: t.id, version: t.version, active: !t.active })}>
          {t.active ? 'Desativar' : 'Reativar'}
        </button>
      </div>
    </li>
  );
}

function TemplateForm() {
  const me = useSession();
  const utils = api.useUtils();
  const [id, setId] = useState(randomUuid);
  const [title, setTitle] = useState('');
  const [instructions, setInstructions] = useState('');
  const [checklist, setChecklist] = useState('');
  const [photoCount, setPhotoCount] = useState('1');
  const [labels, setLabels] = useState('');
  const [texts, setTexts] = useState('');
  const [alwaysReview, setAlwaysReview] = useState(false);
  const [schedule, setSchedule] = useState<'once' | 'daily' | 'weekly'>('daily');
  const [onceOn, setOnceOn] = useState('');
  const [weekdays, setWeekdays] = useState<string[]>([]);
  const [dueTime, setDueTime] = useState('18:00');
  const [storeIds, setStoreIds] = useState<string[]>([]);
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
  const errors = create.error ? fieldErrors(create.error) : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      id,
      title,
      instructions: instructions || null,
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
    });
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Novo modelo de tarefa">
      <h2 className="section-title">Novo modelo</h2>
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
      <CheckboxGroup legend="Lojas" options={me.stores.map((s) => ({ value: s.id, label: s.name }))} value={storeIds} onChange={setStoreIds} error={errors.storeIds} />
      {create.error && Object.keys(errors).length === 0 ? <ErrorAlert error={create.error} /> : null}
      {create.isSuccess ? <Notice tone="success">Modelo criado; as tarefas de hoje já estão nas lojas.</Notice> : null}
      <button type="submit" className="btn btn-primary" disabled={create.isPending}>
        Criar modelo
      </button>
    </form>
  );
}
