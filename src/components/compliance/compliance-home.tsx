'use client';

import Link from 'next/link';
import { useState } from 'react';
import { api } from '~/lib/trpc/react';
import { useSession } from '../session';
import { EmptyState, ErrorAlert, Loading, Notice } from '../ui/feedback';
import { SelectField } from '../ui/fields';
import { formatDateTime } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import { groupTitles, taskGroup, taskStatusLabels, type ComplianceTask } from './labels';
import { OutboxStatus } from './outbox-status';
import { useComplianceOutbox } from './use-compliance-outbox';
import { useLastSeen } from './use-last-seen';

/**
 * The store's compliance tasks: late ones first, then today's, those sent and waiting for a verdict, and the last
 * week's done ones. Managers also reach the review queue and the templates from here.
 */
export function ComplianceHome() {
  const me = useSession();
  const manager = me.user.role === 'manager' || me.user.role === 'admin';
  const [storeId, setStoreId] = useState('');
  const tasks = api.compliance.tasks.useQuery({ storeId: storeId || null });
  const data = useLastSeen(`compliance-tasks:${me.user.id}:${storeId}`, tasks.data);
  const review = api.compliance.reviewQueue.useQuery(undefined, { enabled: manager });
  const outbox = useComplianceOutbox(me.user.id);
  const now = data ? new Date(data.now).getTime() : Date.now();
  const groups = { overdue: [] as ComplianceTask[], todo: [] as ComplianceTask[], waiting: [] as ComplianceTask[], done: [] as ComplianceTask[] };
  for (const task of data?.tasks ?? []) groups[taskGroup(task, now)].push(task);

  return (
    <section>
      <PageHeader
        title="Conformidade"
        description={manager ? 'Tarefas com fotos das lojas, a revisão das reprovadas e os modelos.' : 'Tarefas da sua loja: tire as fotos pedidas, marque a lista e envie.'}
      />
      {manager ? (
        <div className="inline-actions">
          <Link href="/compliance/review" className="btn btn-primary">
            Revisar{review.data ? ` (${review.data.tasks.length})` : ''}
          </Link>
          <Link href="/compliance/templates" className="btn btn-secondary">
            Modelos de tarefa
          </Link>
        </div>
      ) : null}
      <OutboxStatus outbox={outbox} />
      {data && !tasks.data ? <Notice tone="warning">Sem conexão: estas são as tarefas como foram vistas pela última vez neste tablet.</Notice> : null}
      {data && !data.visionEnabled ? <Notice tone="warning">A verificação automática das fotos está desligada: cada envio será revisado por um gerente.</Notice> : null}
      {me.stores.length > 1 ? (
        <SelectField label="Loja" value={storeId} onChange={(e) => setStoreId(e.target.value)}>
          <option value="">Todas as lojas</option>
          {me.stores.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
      ) : null}
      {data?.truncated ? (
        <Notice tone="warning">
          Mostrando só {data.limit.toLocaleString('pt-BR')} tarefas: as de hoje e as atrasadas há mais tempo.{' '}
          {me.stores.length > 1 ? 'Escolha uma loja para ver todas as dela.' : ''}
        </Notice>
      ) : null}
      {!data && tasks.isPending ? <Loading /> : null}
      {!data && tasks.error ? <ErrorAlert error={tasks.error} title="Não foi possível carregar as tarefas" onRetry={() => void tasks.refetch()} /> : null}
      {data && data.tasks.length === 0 ? <EmptyState>Nenhuma tarefa de conformidade por enquanto.</EmptyState> : null}
      {(Object.keys(groups) as (keyof typeof groups)[]).map((group) =>
        groups[group].length === 0 ? null : (
          <div key={group}>
            <h2 className="section-title">
              {groupTitles[group]} ({groups[group].length})
            </h2>
            <ul className="line-list" data-testid={`compliance-${group}`}>
              {groups[group].map((task) => (
                <TaskLine key={task.id} task={task} waitingHere={outbox.photos.filter((p) => p.taskId === task.id && p.status === 'pending').length} />
              ))}
            </ul>
          </div>
        ),
      )}
    </section>
  );
}

function TaskLine({ task, waitingHere }: { task: ComplianceTask; waitingHere: number }) {
  return (
    <li className="line-card">
      <div>
        <strong>{task.title}</strong> · {task.storeName}
        <div className="muted">
          {taskStatusLabels[task.status]} · prazo {formatDateTime(task.dueAt)}
          {task.status === 'open' && task.returnedComment ? ` · devolvida: ${task.returnedComment}` : ''}
          {waitingHere > 0 ? ` · ${waitingHere} foto(s) aguardando envio neste tablet` : ''}
        </div>
      </div>
      <div className="inline-actions">
        <Link href={`/compliance/${task.id}`} className={`btn ${task.status === 'open' ? 'btn-primary' : 'btn-secondary'}`} aria-label={`Abrir ${task.title} — ${task.storeName}`}>
          {task.status === 'open' ? 'Fazer' : 'Ver'}
        </Link>
      </div>
    </li>
  );
}
