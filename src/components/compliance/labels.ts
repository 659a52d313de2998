import type { RouterOutputs } from '~/lib/trpc/react';

export type ComplianceTask = RouterOutputs['compliance']['tasks']['tasks'][number];
export type TaskStatus = ComplianceTask['status'];

export const taskStatusLabels: Record<TaskStatus, string> = {
  open: 'A fazer',
  submitted: 'Verificando as fotos',
  needs_review: 'Aguardando revisão',
  failed: 'Reprovada — aguardando revisão',
  passed: 'Aprovada',
  cancelled: 'Cancelada',
};

/** Why a task waits for a person. */
export const reviewReasonLabels: Record<string, string> = {
  vision_off: 'A verificação automática (Google Vision) está desligada neste servidor',
  auto_check_off: 'A verificação automática foi desligada pela administração',
  vision_unavailable: 'O Google Vision não respondeu; uma pessoa decide',
  vision_unreadable: 'O Google Vision não conseguiu ler uma das fotos',
  review_required: 'Este modelo pede sempre a revisão de uma pessoa',
  check_failed: 'A verificação automática falhou (fotos indisponíveis no armazenamento); uma pessoa decide',
};

export const scheduleLabels: Record<'once' | 'daily' | 'weekly', string> = { once: 'Uma vez', daily: 'Todo dia', weekly: 'Toda semana' };
export const weekdayLabels = ['Domingo', 'Segunda', 'Terça', 'Quarta', 'Quinta', 'Sexta', 'Sábado'];

/** Where the task sits on the store's screen. */
export function taskGroup(task: Pick<ComplianceTask, 'status' | 'dueAt'>, now: number): 'overdue' | 'todo' | 'waiting' | 'done' {
  if (task.status === 'open') return new Date(task.dueAt).getTime() < now ? 'overdue' : 'todo';
  if (task.status === 'passed' || task.status === 'cancelled') return 'done';
  return 'waiting';
}

export const groupTitles = { overdue: 'Atrasadas', todo: 'A fazer', waiting: 'Enviadas', done: 'Concluídas (últimos 7 dias)' } as const;
