import { businessDay } from '~/lib/business-time';
import { writeAudit } from '../audit/audit';
import type { DomainContext, SignedInContext } from '../domain/context';
import { inTransaction, type Emit } from '../domain/transaction';
import { AppError, notFound } from '../errors';
import type { Transaction } from '../db/client';
import { activeStoresAmong, cancelOpenTasksOf, findTemplate, insertTemplate, listTemplates, scheduleDueTasks, setTemplateStores, updateTemplate, type TemplateValues } from './queries';

/**
 * Task templates: what a store must prove with photos, and when. Managers and admins keep them; each change makes
 * today's tasks at once (the scheduler in the workers makes the following days').
 */

export type TemplateInput = TemplateValues & { storeIds: string[] };


export const templates = (ctx: SignedInContext) => listTemplates(ctx.db, ctx.principal.orgId);

function assertSchedule(input: Pick<TemplateValues, 'schedule' | 'onceOn' | 'weekdays'>, today?: string) {
  if (input.schedule === 'once' && !input.onceOn) throw new AppError('INVALID', 'once_needs_date', 'A one-off template needs its date (onceOn)', { field: 'onceOn' });
  if (input.schedule === 'once' && today && input.onceOn! < today) throw new AppError('INVALID', 'once_in_past', 'A one-off template’s date has passed; choose today or a later day', { field: 'onceOn' });
  if (input.schedule === 'weekly' && input.weekdays.length === 0) throw new AppError('INVALID', 'weekly_needs_days', 'A weekly template needs at least one weekday', { field: 'weekdays' });
}

/** Every store must be an active store of the org: another org's store is refused like a missing one. */
async function assertStores(ctx: SignedInContext, tx: Transaction, storeIds: string[]) {
  const unique = [...new Set(storeIds)];
  const found = await activeStoresAmong(tx, ctx.principal.orgId, unique);
  if (found.length !== unique.length) throw notFound('store', { storeIds: unique.filter((id) => !found.includes(id)) });
  return unique;
}

/** Makes the tasks due by today for one template (or all of an org's), and says so: the dashboard and the stores' lists change. */
async function scheduleNow(tx: Transaction, emit: Emit, filter: { orgId: string; templateId?: string }) {
  const created = await scheduleDueTasks(tx, filter);
  await emitChanges(emit, filter.orgId, created, 'created');
  return created.length;
}

async function emitChanges(emit: Emit, orgId: string, rows: { storeId: string; templateId?: string }[], what: 'created' | 'cancelled', templateId?: string) {
  const byTemplate = new Map<string, Set<string>>();
  for (const row of rows) {
    const id = row.templateId ?? templateId!;
    byTemplate.set(id, (byTemplate.get(id) ?? new Set()).add(row.storeId));
  }
  if (byTemplate.size === 0) return;
  await emit(
    [...byTemplate].map(([id, storeIds]) => ({
      type: 'compliance.tasksChanged' as const,
      orgId,
      aggregateId: id,
      payload: {
        templateId: id,
        storeIds: [...storeIds],
        created: what === 'created' ? rows.filter((r) => (r.templateId ?? templateId) === id).length : 0,
        cancelled: what === 'cancelled' ? rows.filter((r) => (r.templateId ?? templateId) === id).length : 0,
      },
    })),
  );
}

/** Creates a template (client-made id: a retried create returns the first one) and today's tasks, if it has any today. */
export async function createTemplate(ctx: SignedInContext, input: TemplateInput & { id: string }) {
  assertSchedule(input, businessDay());
  const orgId = ctx.principal.orgId;
  return inTransaction(ctx, async (tx, emit) => {
    const storeIds = await assertStores(ctx, tx, input.storeIds);
    const { storeIds: _stores, id, ...values } = input;
    const inserted = await insertTemplate(tx, { ...values, id, orgId, createdBy: ctx.principal.userId });
    if (inserted) {
      await setTemplateStores(tx, orgId, id, storeIds);
      await writeAudit(tx, ctx.actor, { action: 'compliance_template.created', entityType: 'compliance_template', entityId: id, after: { ...values, storeIds } });
      await scheduleNow(tx, emit, { orgId, templateId: id });
    }
    const row = await findTemplate(tx, orgId, id);
    if (!row) throw new AppError('CONFLICT', 'template_id_taken', 'This template id is already used by another organization; make a new id');
    return row;
  });
}

/**
 * Changes a template (optimistic: `version` is the one the person saw). Tasks already made keep what they were
 * made with; the next ones follow the change. Switching it off cancels the tasks nobody has sent photos for.
 */
export async function editTemplate(ctx: SignedInContext, input: Partial<TemplateInput> & { id: string; version: number; active?: boolean }) {
  const orgId = ctx.principal.orgId;
  return inTransaction(ctx, async (tx, emit) => {
    const before = await findTemplate(tx, orgId, input.id, true);
    if (!before) throw notFound('compliance_template');
    if (before.version !== input.version) {
      throw new AppError('CONFLICT', 'template_changed', 'The template changed since it was shown; reload it and apply the change again', { version: before.version });
    }
    const { id, version: _version, storeIds: wantedStores, ...values } = input;
    assertSchedule(
      { schedule: values.schedule ?? before.schedule, onceOn: values.onceOn !== undefined ? values.onceOn : before.onceOn, weekdays: values.weekdays ?? before.weekdays },
      values.onceOn !== undefined ? businessDay() : undefined,
    );
    const storeIds = wantedStores ? await assertStores(ctx, tx, wantedStores) : before.storeIds;
    // Switched on again, or its days changed: it owes nothing for the days before today.
    const scheduleChanged = (values.schedule !== undefined && values.schedule !== before.schedule) || (values.weekdays !== undefined && values.weekdays.join() !== before.weekdays.join()) || (values.onceOn !== undefined && values.onceOn !== before.onceOn);
    const restart = (values.active === true && !before.active) || scheduleChanged;
    await updateTemplate(tx, orgId, id, { ...values, restart });
    if (wantedStores) await setTemplateStores(tx, orgId, id, storeIds);
    await writeAudit(tx, ctx.actor, {
      action: 'compliance_template.updated',
      entityType: 'compliance_template',
      entityId: id,
      before: { ...before, createdAt: undefined },
      after: { ...values, storeIds },
    });
    if (values.active === false && before.active) {
      const cancelled = await cancelOpenTasksOf(tx, orgId, id);
      await emitChanges(emit, orgId, cancelled, 'cancelled', id);
    } else {
      await scheduleNow(tx, emit, { orgId, templateId: id });
    }
    return (await findTemplate(tx, orgId, id))!;
  });
}

/**
 * The scheduler's run for every org (the workers call it every COMPLIANCE_SCHEDULE_INTERVAL_MS): idempotent, so
 * any number of worker processes may run it at once.
 */
export async function scheduleAllTasks(ctx: DomainContext, opts: { backDays?: number } = {}): Promise<number> {
  return inTransaction(ctx, async (tx, emit) => {
    const created = await scheduleDueTasks(tx, { backDays: opts.backDays });
    const byOrg = new Map<string, typeof created>();
    for (const row of created) byOrg.set(row.orgId, [...(byOrg.get(row.orgId) ?? []), row]);
    for (const [orgId, rows] of byOrg) await emitChanges(emit, orgId, rows.map((r) => ({ storeId: r.storeId, templateId: r.templateId })), 'created');
    return created.length;
  });
}
