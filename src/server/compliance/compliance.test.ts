import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, like, sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerAs, codeOf, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { makeBombPng } from '../../../tests/helpers/openfoodfacts-standin';
import { writeServiceAccountKey, type TestServiceAccount } from '../../../tests/helpers/service-account';
import { until } from '../../../tests/helpers/until';
import { startVisionStandIn, type VisionStandIn } from '../../../tests/helpers/vision-standin';
import { compliancePhotos, complianceSubmissions, deadLetterQueue, complianceTasks, complianceTemplates, complianceTemplateStores, eventLog, notifications } from '~/server/db/schema';
import { startWorkers, type WorkerRuntime } from '~/server/runtime/workers';
import type { Services } from '~/server/services';
import { photoUploadForm } from '~/lib/compliance-upload';
import { createMyInventoryClient, type TRPCClientError } from '~/client';
import { createAppServer } from '~/server/http/server';
import { compliancePhotoFiles } from './keys';
import { sendToReviewAfterFailure } from './check';
import { scheduleAllTasks } from './templates';
import { startComplianceScheduler } from './scheduler';
import { systemContext } from '../domain/context';

/**
 * Compliance photo tasks with the real workers, BullMQ, sharp, storage and the real Google Vision client against
 * its stand-in: templates make tasks once per store and day whatever the number of schedulers, photos are checked
 * and stored once, a submission gets Vision's verdict (or a person's when Vision is down), and a rejection goes
 * back to the store's clerks.
 */
let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let vision: VisionStandIn;
let account: TestServiceAccount;
let runtime: WorkerRuntime;

beforeAll(async () => {
  account = writeServiceAccountKey();
  vision = await startVisionStandIn({ trust: { publicKey: account.publicKey, clientEmail: account.clientEmail } });
  ({ services, close } = await createTestServices({
    GOOGLE_APPLICATION_CREDENTIALS: account.path,
    VISION_API_ENDPOINT: vision.url,
    VISION_TIMEOUT_MS: '1500',
    VISION_RETRIES: '0',
    VISION_HALF_OPEN_AFTER_MS: '60000',
    // The tests upload faster than a store would; the gate has a test of its own below.
    COMPLIANCE_UPLOADS_PER_SECOND: '0',
  }));
  org = await createOrgFixture(services, 'compliance');
  runtime = await startWorkers(services);
});
afterAll(async () => {
  await runtime?.stop(5000);
  await close();
  await vision.close();
  account.remove();
});

const photo = (seed: number, width = 800, height = 600) =>
  sharp({ create: { width, height, channels: 3, background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: 120 } } })
    .jpeg()
    .toBuffer();
/** compliance.uploadPhoto's FormData, as the tablet sends it. */
const upload = (taskId: string, photoId: string, bytes: Buffer) => photoUploadForm({ taskId, photoId, photo: new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }) });

const templateInput = (overrides: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  title: 'Gôndola de achocolatados',
  instructions: 'Fotografe a gôndola inteira com a etiqueta de preço.',
  checklist: ['Gôndola abastecida', 'Etiqueta visível'],
  photoCount: 2,
  expectedLabels: ['prateleira'],
  expectedTexts: ['R$ 9,99'],
  alwaysReview: false,
  schedule: 'daily' as const,
  onceOn: null,
  weekdays: [],
  dueTime: '23:59',
  storeIds: [org.stores[0]!.id],
  ...overrides,
});

/** A fresh template for store 1 and its task of today. */
async function taskOfNewTemplate(overrides: Record<string, unknown> = {}) {
  const manager = await callerAs(services, org, 'manager');
  const template = await manager.compliance.templates.create(templateInput(overrides));
  const [task] = await services.db.select().from(complianceTasks).where(eq(complianceTasks.templateId, template.id));
  return { template, task: task! };
}

async function sendPhotos(taskId: string, count: number) {
  const clerk = await callerAs(services, org, 'clerk');
  const photoIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const photoId = randomUUID();
    await clerk.compliance.uploadPhoto(upload(taskId, photoId, await photo(i + 1)));
    photoIds.push(photoId);
  }
  const submissionId = randomUUID();
  await clerk.compliance.submit({ taskId, submissionId, photoIds, checklist: [true, true], note: null });
  return { submissionId, photoIds };
}

const settled = (taskId: string) =>
  until(async () => {
    const [row] = await services.db.select().from(complianceTasks).where(eq(complianceTasks.id, taskId));
    return row && row.status !== 'submitted' ? row : null;
  }, 20_000);

describe('templates and the scheduler', () => {
  it('a new daily template makes today’s task for each chosen store, once, and the store sees it', async () => {
    const { template, task } = await taskOfNewTemplate({ storeIds: [org.stores[0]!.id, org.stores[1]!.id] });
    const rows = await services.db.select().from(complianceTasks).where(eq(complianceTasks.templateId, template.id));
    expect(rows.map((r) => r.storeId).sort()).toEqual([org.stores[0]!.id, org.stores[1]!.id].sort());
    expect(task.rules).toEqual({ labels: ['prateleira'], texts: ['R$ 9,99'], alwaysReview: false });
    // Due at 23:59 in São Paulo (UTC-3): 02:59 UTC of the next day.
    expect(task.dueAt.toISOString().slice(11, 16)).toBe('02:59');
    const clerk = await callerAs(services, org, 'clerk');
    const seen = await clerk.compliance.tasks({});
    expect(seen.tasks.filter((t) => t.templateId === template.id).map((t) => t.storeId)).toEqual([org.stores[0]!.id]); // the clerk's store only
    expect(await codeOf(clerk.compliance.tasks({ storeId: org.stores[1]!.id }))).toBe('NOT_FOUND');
    expect(await codeOf(clerk.compliance.templates.create(templateInput()))).toBe('FORBIDDEN');
  });

  it('the scheduler catches up on its first round, then looks at yesterday and today only', async () => {
    const manager = await callerAs(services, org, 'manager');
    const daily = await manager.compliance.templates.create(templateInput({ title: 'Diária do agendador', storeIds: [org.stores[1]!.id] }));
    await services.db.update(complianceTemplates).set({ startsOn: sql`(now() at time zone 'America/Sao_Paulo')::date - 5` }).where(eq(complianceTemplates.id, daily.id));
    await services.db.update(complianceTemplateStores).set({ since: sql`(now() at time zone 'America/Sao_Paulo')::date - 5` }).where(eq(complianceTemplateStores.templateId, daily.id));
    const count = async () => (await services.db.select().from(complianceTasks).where(eq(complianceTasks.templateId, daily.id))).length;
    const scheduler = startComplianceScheduler(services, { intervalMs: 3_600_000, afterCommit: async () => {} });
    try {
      await scheduler.runNow();
      expect(await count()).toBe(6);
      // A task of five days ago gone: a later round does not look that far back (a restart would make it again).
      await services.db.delete(complianceTasks).where(and(eq(complianceTasks.templateId, daily.id), sql`period = (now() at time zone 'America/Sao_Paulo')::date - 5`));
      await scheduler.runNow();
      expect(await count()).toBe(5);
      // A full catch-up (a restart's first round) makes it again.
      await scheduleAllTasks(systemContext(services, { requestId: `test-${randomUUID()}`, afterCommit: async () => {} }));
      expect(await count()).toBe(6);
    } finally {
      await scheduler.stop();
    }
  });

  it('two schedulers at once after a stop across day boundaries make each missed day’s task exactly once; weekly ones only on their days', async () => {
    const manager = await callerAs(services, org, 'manager');
    const daily = await manager.compliance.templates.create(templateInput({ title: 'Diária', storeIds: [org.stores[0]!.id] }));
    const weekly = await manager.compliance.templates.create(templateInput({ title: 'Semanal', schedule: 'weekly', weekdays: [1], storeIds: [org.stores[0]!.id] }));
    // As if both were made 9 days ago and no scheduler ran since (the workers were down across the days).
    for (const id of [daily.id, weekly.id]) {
      await services.db.update(complianceTemplates).set({ startsOn: sql`(now() at time zone 'America/Sao_Paulo')::date - 9` }).where(eq(complianceTemplates.id, id));
      await services.db.update(complianceTemplateStores).set({ since: sql`(now() at time zone 'America/Sao_Paulo')::date - 9` }).where(eq(complianceTemplateStores.templateId, id));
    }
    const ctx = () => systemContext(services, { requestId: `test-${randomUUID()}`, afterCommit: async () => {} });
    const made = await Promise.all([scheduleAllTasks(ctx()), scheduleAllTasks(ctx()), runtime.scheduleNow().then(() => 0)]);
    await scheduleAllTasks(ctx()); // and once more, as after a restart
    const periods = async (templateId: string) =>
      (await services.db.select({ period: complianceTasks.period }).from(complianceTasks).where(eq(complianceTasks.templateId, templateId))).map((r) => r.period).sort();
    const dailyPeriods = await periods(daily.id);
    expect(dailyPeriods).toHaveLength(10);
    expect(new Set(dailyPeriods).size).toBe(10);
    const weeklyPeriods = await periods(weekly.id);
    expect(weeklyPeriods.length).toBeGreaterThanOrEqual(1);
    expect(weeklyPeriods.every((p) => new Date(`${p}T12:00:00Z`).getUTCDay() === 1)).toBe(true);
    expect(made.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(9 + weeklyPeriods.length);
    // Switched off: its open tasks are cancelled and no new one is made.
    const [t] = await manager.compliance.templates.list().then((l) => l.filter((x) => x.id === daily.id));
    await manager.compliance.templates.update({ id: daily.id, version: t!.version, active: false });
    const statuses = await services.db.select({ status: complianceTasks.status }).from(complianceTasks).where(eq(complianceTasks.templateId, daily.id));
    expect(statuses.every((s) => s.status === 'cancelled')).toBe(true);
    expect(await codeOf(manager.compliance.templates.update({ id: daily.id, version: t!.version, active: true }))).toBe('CONFLICT'); // stale version
  });

  it('a chain-wide list past 1,000 tasks says it was cut, and answers the late and today’s ones first', async () => {
    const { template, task } = await taskOfNewTemplate({ title: 'Muitas tarefas', storeIds: [org.stores[1]!.id] });
    // 1,000 more days of the same template, all still open (overdue), as a chain that never sent them would have.
    await services.db.execute(sql`
      insert into compliance_tasks (org_id, store_id, template_id, period, title, checklist, photo_count, rules, due_at)
      select org_id, store_id, template_id, period - g, title, checklist, photo_count, rules, due_at - make_interval(days => g)
      from compliance_tasks, generate_series(1, 1000) g where id = ${task.id}`);
    try {
      const manager = await callerAs(services, org, 'manager');
      const all = await manager.compliance.tasks({});
      expect(all).toMatchObject({ truncated: true, limit: 1000 });
      expect(all.tasks).toHaveLength(1000);
      // Today's ones come first, then the late ones oldest first: the cut falls on the most recent overdue days.
      expect(all.tasks.slice(0, 5).map((t) => t.id)).toContain(task.id);
      const [oldest] = await services.db.execute<{ period: string }>(sql`select min(period)::text as period from compliance_tasks where template_id = ${template.id}`);
      expect(all.tasks.some((t) => t.templateId === template.id && t.period === oldest!.period)).toBe(true);
      const oneStore = await manager.compliance.tasks({ storeId: org.stores[0]!.id });
      expect(oneStore.truncated).toBe(false);
    } finally {
      await services.db.delete(complianceTasks).where(eq(complianceTasks.templateId, template.id));
    }
  });

  it('refuses a template for another org’s store, a weekly one without days, a one-off without its date', async () => {
    const manager = await callerAs(services, org, 'manager');
    const other = await createOrgFixture(services, 'compliance-other');
    expect(await codeOf(manager.compliance.templates.create(templateInput({ storeIds: [other.stores[0]!.id] })))).toBe('NOT_FOUND');
    expect(await codeOf(manager.compliance.templates.create(templateInput({ schedule: 'weekly', weekdays: [] })))).toBe('BAD_REQUEST');
    expect(await codeOf(manager.compliance.templates.create(templateInput({ schedule: 'once', onceOn: null })))).toBe('BAD_REQUEST');
    expect(await services.db.$count(complianceTemplates, eq(complianceTemplates.orgId, org.org.id))).toBeGreaterThan(0);
    const otherAdmin = await callerAs(services, other, 'admin');
    expect((await otherAdmin.compliance.tasks({})).tasks).toEqual([]);
  });
});

describe('photos and submissions', () => {
  it('stores a retried upload once, refuses what is not a photo or too big, and another store’s task, with nothing stored half', async () => {
    const { task } = await taskOfNewTemplate();
    const clerk = await callerAs(services, org, 'clerk');
    const photoId = randomUUID();
    const first = await clerk.compliance.uploadPhoto(upload(task.id, photoId, await photo(1)));
    const again = await clerk.compliance.uploadPhoto(upload(task.id, photoId, await photo(1)));
    expect([first.stored, again.stored]).toEqual([true, false]);
    expect(await services.db.$count(compliancePhotos, eq(compliancePhotos.taskId, task.id))).toBe(1);
    const stored = await services.storage.get(compliancePhotoFiles(org.org.id, task.id, photoId).original);
    expect((await sharp(stored!.body).metadata()).exif).toBeUndefined();

    const refused = async (bytes: Buffer) => {
      const id = randomUUID();
      const code = await codeOf(clerk.compliance.uploadPhoto(upload(task.id, id, bytes)));
      expect(await services.storage.get(compliancePhotoFiles(org.org.id, task.id, id).original)).toBeNull();
      return code;
    };
    expect(await refused(Buffer.from('this is a text file named photo.jpg\n'.repeat(20)))).toBe('BAD_REQUEST');
    expect(await refused(makeBombPng(20_000))).toBe('BAD_REQUEST'); // 20,000 × 20,000 px in a few kilobytes
    // A JPEG whose header is whole and whose image data is not, as libjpeg can tell: a marker in the middle of its
    // scan, or the scan cut short with the end marker put back. Each is refused, upright (kept as it came) or turned
    // (re-encoded). (Flipped bits that still decode are picture content to any decoder: those are stored.)
    const whole = await sharp(randomBytes(150 * 100 * 3), { raw: { width: 150, height: 100, channels: 3 } }).resize(1200, 800).jpeg().toBuffer();
    const half = Math.floor(whole.length / 2);
    const stray = Buffer.concat([whole.subarray(0, half), Buffer.from([0xff, 0xd3]), whole.subarray(half)]);
    const cut = Buffer.concat([whole.subarray(0, half), Buffer.from([0xff, 0xd9])]);
    expect(await refused(stray)).toBe('BAD_REQUEST');
    // Some phones write "Invalid SOS parameters for sequential JPEG" into every photo: a warning, not damage. Kept.
    const sos = Buffer.from(whole);
    const scan = sos.indexOf(Buffer.from([0xff, 0xda]));
    sos[scan + 5 + 2 * sos[scan + 4]! + 1] = 0; // Se = 0
    expect((await clerk.compliance.uploadPhoto(upload(task.id, randomUUID(), sos))).stored).toBe(true);
    expect(await refused(cut)).toBe('BAD_REQUEST');
    expect(await refused(await sharp(whole).withMetadata({ orientation: 6 }).jpeg().toBuffer().then((turned) => Buffer.concat([turned.subarray(0, Math.floor(turned.length / 2)), Buffer.from([0xff, 0xd9])])))).toBe('BAD_REQUEST');
    expect(await services.db.$count(compliancePhotos, eq(compliancePhotos.taskId, task.id))).toBe(2);

    // Store 2's task: the clerk (store 1) cannot see it, upload to it nor send it.
    const { task: other } = await taskOfNewTemplate({ storeIds: [org.stores[1]!.id] });
    expect(await codeOf(clerk.compliance.uploadPhoto(upload(other.id, randomUUID(), await photo(2))))).toBe('NOT_FOUND');
    expect(await codeOf(clerk.compliance.task({ taskId: other.id }))).toBe('NOT_FOUND');
    // The same photo id for another task is a conflict, not a second photo.
    const manager = await callerAs(services, org, 'manager');
    expect(await codeOf(manager.compliance.uploadPhoto(upload(other.id, photoId, await photo(3))))).toBe('CONFLICT');
  });

  it('a submission needs its photos uploaded and the checklist ticked; a retried submit is the same one; a task already sent refuses another', async () => {
    vision.script(() => ({ labels: [{ description: 'Shelf', score: 0.95 }], text: 'NESCAU 400g\nOFERTA R$ 9,99' }));
    const { task } = await taskOfNewTemplate();
    const clerk = await callerAs(services, org, 'clerk');
    const a = randomUUID();
    await clerk.compliance.uploadPhoto(upload(task.id, a, await photo(4)));
    const submissionId = randomUUID();
    expect(await codeOf(clerk.compliance.submit({ taskId: task.id, submissionId, photoIds: [a], checklist: [true, true], note: null }))).toBe('BAD_REQUEST'); // 1 of 2 photos
    expect(await codeOf(clerk.compliance.submit({ taskId: task.id, submissionId, photoIds: [a, randomUUID()], checklist: [true, true], note: null }))).toBe('PRECONDITION_FAILED');
    const b = randomUUID();
    await clerk.compliance.uploadPhoto(upload(task.id, b, await photo(5)));
    expect(await codeOf(clerk.compliance.submit({ taskId: task.id, submissionId, photoIds: [a, b], checklist: [true, false], note: null }))).toBe('BAD_REQUEST');
    expect(await services.db.$count(complianceSubmissions, eq(complianceSubmissions.taskId, task.id))).toBe(0);
    const sent = await clerk.compliance.submit({ taskId: task.id, submissionId, photoIds: [a, b], checklist: [true, true], note: 'ok' });
    const retried = await clerk.compliance.submit({ taskId: task.id, submissionId, photoIds: [a, b], checklist: [true, true], note: 'ok' });
    expect(retried.submissionId).toBe(sent.submissionId);
    expect(await services.db.$count(eventLog, and(eq(eventLog.aggregateId, task.id), eq(eventLog.type, 'compliance.submitted')))).toBe(1);
    const done = await settled(task.id);
    expect(done.status).toBe('passed');
    expect(await codeOf(clerk.compliance.submit({ taskId: task.id, submissionId: randomUUID(), photoIds: [a, b], checklist: [true, true], note: null }))).toBe('PRECONDITION_FAILED');
    expect(await codeOf(clerk.compliance.uploadPhoto(upload(task.id, randomUUID(), await photo(6))))).toBe('PRECONDITION_FAILED');
  });
});

describe('the upload gate', () => {
  it('starts COMPLIANCE_UPLOADS_PER_SECOND uploads a second, the others wait unread; past the longest wait a 503 the typed client reads, nothing stored', async () => {
    const gated = await createTestServices({ COMPLIANCE_UPLOADS_PER_SECOND: '2', COMPLIANCE_UPLOAD_MAX_WAIT_MS: '700' });
    const app = createAppServer({ services: gated.services });
    try {
      const port = await app.listen(0, '127.0.0.1');
      const fixture = await createOrgFixture(gated.services, 'compliance-gate');
      const admin = await callerAs(gated.services, fixture, 'admin');
      const template = await admin.compliance.templates.create({ ...templateInput(), storeIds: [fixture.stores[0]!.id] });
      const [task] = await gated.services.db.select().from(complianceTasks).where(eq(complianceTasks.templateId, template.id));
      const { token } = await admin.admin.tokens.create({ name: 'gate test' });
      const client = createMyInventoryClient({ url: `http://127.0.0.1:${port}`, token });
      const bytes = await photo(9);
      const started = performance.now();
      const outcomes = await Promise.all(
        [0, 1, 2, 3].map(async (i) => {
          await new Promise((r) => setTimeout(r, i * 20)); // in this order
          return client.compliance.uploadPhoto
            .mutate(upload(task!.id, randomUUID(), bytes))
            .then(() => ({ ok: true, ms: performance.now() - started }))
            .catch((e: TRPCClientError<never>) => ({ ok: false, message: e.message, data: e.data as { code?: string; reason?: string } | undefined }));
        }),
      );
      expect(outcomes.map((o) => o.ok), JSON.stringify(outcomes)).toEqual([true, true, false, false]);
      expect((outcomes[1] as { ms: number }).ms).toBeGreaterThanOrEqual(450); // it waited its turn
      expect(outcomes[2]).toMatchObject({ data: { code: 'SERVICE_UNAVAILABLE', reason: 'uploads_busy' } });
      expect(await gated.services.db.$count(compliancePhotos, eq(compliancePhotos.taskId, task!.id))).toBe(2);
    } finally {
      await app.shutdown(1000);
      await gated.close();
    }
  });
});

describe('the verdict', () => {
  it('passes when Vision shows everything, and sent the photos as bytes; fails naming what is missing; the manager is told', async () => {
    vision.reset();
    vision.script(() => ({ labels: [{ description: 'Shelf', score: 0.91 }], text: 'Achocolatado\nR$9,99' }));
    const { task: good } = await taskOfNewTemplate();
    await sendPhotos(good.id, 2);
    const passed = await settled(good.id);
    expect(passed.status).toBe('passed');
    expect(vision.lastRequest!.images.every((i) => i.source === 'content')).toBe(true);
    const [submission] = await services.db.select().from(complianceSubmissions).where(eq(complianceSubmissions.taskId, good.id));
    expect(submission!.expected).toEqual([
      expect.objectContaining({ kind: 'label', expected: 'prateleira', found: true }),
      expect.objectContaining({ kind: 'text', expected: 'R$ 9,99', found: true }),
    ]);

    vision.script(() => ({ labels: [{ description: 'Shelf', score: 0.91 }], text: 'Achocolatado\nR$ 12,49' }));
    const { task: bad } = await taskOfNewTemplate();
    await sendPhotos(bad.id, 2);
    expect((await settled(bad.id)).status).toBe('failed');
    const [completed] = await services.db
      .select({ payload: eventLog.payload })
      .from(eventLog)
      .where(and(eq(eventLog.aggregateId, bad.id), eq(eventLog.type, 'compliance.completed')));
    expect(completed!.payload).toMatchObject({ verdict: 'failed', by: 'vision', missing: ['preço R$ 9,99 não encontrado'] });
    await until(async () => (await services.db.$count(notifications, and(eq(notifications.userId, org.users.manager.id), like(notifications.title, 'Reprovada:%')))) > 0, 10_000);
    const manager = await callerAs(services, org, 'manager');
    expect((await manager.compliance.reviewQueue()).tasks.map((t) => t.id)).toContain(bad.id);
  });

  it('with automatic verdicts switched off for a store (feature flag), its submissions wait for a manager and Vision is not asked', async () => {
    vision.reset();
    const admin = await callerAs(services, org, 'admin');
    await admin.admin.flags.set({ flag: 'complianceAutoVerdicts', storeId: org.stores[0]!.id, enabled: false });
    try {
      const { task } = await taskOfNewTemplate();
      const { submissionId } = await sendPhotos(task.id, 2);
      expect((await settled(task.id)).status).toBe('needs_review');
      const [submission] = await services.db.select().from(complianceSubmissions).where(eq(complianceSubmissions.id, submissionId));
      expect(submission!.reviewReason).toBe('auto_check_off');
      expect(vision.calls).toBe(0);
    } finally {
      await admin.admin.flags.set({ flag: 'complianceAutoVerdicts', storeId: org.stores[0]!.id, enabled: null });
    }
  });

  it('Vision down gives needs_review at once (no dead letter); the manager approves it; a rejection returns the task to the store’s clerks', async () => {
    vision.reset();
    vision.fail('503');
    const { task } = await taskOfNewTemplate();
    const { submissionId } = await sendPhotos(task.id, 2);
    const waiting = await settled(task.id);
    expect(waiting.status).toBe('needs_review');
    const [submission] = await services.db.select().from(complianceSubmissions).where(eq(complianceSubmissions.id, submissionId));
    expect(submission!.reviewReason).toBe('vision_unavailable');
    const manager = await callerAs(services, org, 'manager');
    const clerk = await callerAs(services, org, 'clerk');
    expect(await codeOf(clerk.compliance.review({ taskId: task.id, submissionId, decision: 'approved' }))).toBe('FORBIDDEN');
    await manager.compliance.review({ taskId: task.id, submissionId, decision: 'approved' });
    await manager.compliance.review({ taskId: task.id, submissionId, decision: 'approved' }); // again: nothing changes
    expect((await services.db.select().from(complianceTasks).where(eq(complianceTasks.id, task.id)))[0]!.status).toBe('passed');

    const { task: second } = await taskOfNewTemplate();
    const sent = await sendPhotos(second.id, 2);
    expect((await settled(second.id)).status).toBe('needs_review');
    expect(await codeOf(manager.compliance.review({ taskId: second.id, submissionId: sent.submissionId, decision: 'rejected' }))).toBe('BAD_REQUEST'); // no comment
    await manager.compliance.review({ taskId: second.id, submissionId: sent.submissionId, decision: 'rejected', comment: 'A etiqueta de preço está cortada.' });
    const [back] = await services.db.select().from(complianceTasks).where(eq(complianceTasks.id, second.id));
    expect(back).toMatchObject({ status: 'open', returnedComment: 'A etiqueta de preço está cortada.' });
    await until(async () => (await services.db.$count(notifications, and(eq(notifications.userId, org.users.clerk.id), like(notifications.title, 'Refazer:%')))) > 0, 10_000);
    vision.recover();
    // The store sends it again: a new submission, judged again.
    vision.script(() => ({ labels: [{ description: 'Shelf', score: 0.9 }], text: 'R$ 9,99' }));
    await sendPhotos(second.id, 2);
    expect((await settled(second.id)).status).toBe('passed');
    expect(await services.db.$count(deadLetterQueue, eq(deadLetterQueue.sourceQueue, 'compliance-checks'))).toBe(0);
  });

  it('a check that fails for good sends the task to a person, and a late verdict of that check changes nothing', async () => {
    vision.reset();
    vision.setDelay(1500);
    const { task } = await taskOfNewTemplate();
    const { submissionId } = await sendPhotos(task.id, 2);
    // What the dead-letter transaction runs (processor.ts deadLettered) while the check is still waiting on Vision.
    await services.db.transaction((tx) => sendToReviewAfterFailure(tx, org.org.id, submissionId));
    const [waiting] = await services.db.select().from(complianceTasks).where(eq(complianceTasks.id, task.id));
    expect(waiting!.status).toBe('needs_review');
    await new Promise((r) => setTimeout(r, 2500));
    const [submission] = await services.db.select().from(complianceSubmissions).where(eq(complianceSubmissions.id, submissionId));
    expect(submission).toMatchObject({ verdict: 'needs_review', reviewReason: 'check_failed' });
    expect((await services.db.select().from(complianceTasks).where(eq(complianceTasks.id, task.id)))[0]!.status).toBe('needs_review');
    vision.setDelay(0);
  });

  it('changing a template’s days owes nothing for the days before today', async () => {
    const manager = await callerAs(services, org, 'manager');
    const weekly = await manager.compliance.templates.create(templateInput({ title: 'Semanal que vira diária', schedule: 'weekly', weekdays: [0] }));
    await services.db.update(complianceTemplates).set({ startsOn: sql`(now() at time zone 'America/Sao_Paulo')::date - 20` }).where(eq(complianceTemplates.id, weekly.id));
    await services.db.update(complianceTemplateStores).set({ since: sql`(now() at time zone 'America/Sao_Paulo')::date - 20` }).where(eq(complianceTemplateStores.templateId, weekly.id));
    const before = await services.db.$count(complianceTasks, eq(complianceTasks.templateId, weekly.id));
    const [current] = (await manager.compliance.templates.list()).filter((t) => t.id === weekly.id);
    await manager.compliance.templates.update({ id: weekly.id, version: current!.version, schedule: 'daily' });
    const periods = (await services.db.select({ period: complianceTasks.period }).from(complianceTasks).where(eq(complianceTasks.templateId, weekly.id))).map((r) => r.period);
    expect(periods.length).toBeLessThanOrEqual(before + 1); // today's at most, never the 20 days before
    expect(await codeOf(manager.compliance.templates.create(templateInput({ schedule: 'once', onceOn: '2020-01-01' })))).toBe('BAD_REQUEST');
  });

  it('the dashboard counts the store’s tasks from these verdicts', async () => {
    const manager = await callerAs(services, org, 'manager');
    const summary = await manager.dashboard.summary({});
    const store = summary.stores.find((s) => s.storeId === org.stores[0]!.id)!;
    expect(store.compliance.passed30d).toBeGreaterThanOrEqual(3);
    expect(store.compliance.failed30d).toBeGreaterThanOrEqual(1); // Vision's failure still waiting (the rejected one passed since)
    expect(store.compliance.awaitingReview).toBeGreaterThanOrEqual(1);
    expect(store.compliance.passRate).toBeGreaterThan(0);
    expect(store.compliance.dueToday).toBeGreaterThan(0);
  });
});
