import sharp from 'sharp';
import { expect, test } from './fixtures/auth';
import { trpcMutation, trpcQuery, uniqueTag } from './fixtures/api';
import { demoUsers } from './fixtures/auth';
import { EXPECTED_PRICE, VISION_WIDTHS } from './fixtures/compliance';
import { closeContexts, signedInContext, TABLET, waitForOfflineReady } from './fixtures/inventory';

type TaskDetail = { task: { id: string; status: string }; photos: { id: string; submissionId: string | null }[]; submissions: { id: string; verdict: string }[] };

/** A camera photo as a file: a JPEG of `width` px (the Vision stand-in answers by it), different bytes each time. */
const cameraPhoto = async (width: number, seed: number) => ({
  name: `IMG_${seed}.jpg`,
  mimeType: 'image/jpeg',
  buffer: await sharp({ create: { width, height: Math.round(width * 0.75), channels: 3, background: { r: (seed * 67) % 256, g: 90, b: (seed * 31) % 256 } } })
    .jpeg({ quality: 90 })
    .toBuffer(),
});

test('a clerk takes three photos offline, reloads, goes online: the server has the three photos once and Vision’s verdict', async ({ browser }) => {
  test.setTimeout(120_000);
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const clerk = await signedInContext(browser, demoUsers.clerk.email, TABLET);
  const store = clerk.me.stores[0]!;
  const title = `Gôndola de achocolatados ${uniqueTag()}`;
  await trpcMutation(manager.page.request, 'compliance.templates.create', {
    id: crypto.randomUUID(),
    title,
    instructions: 'A gôndola inteira, com a etiqueta da oferta.',
    checklist: ['Gôndola abastecida'],
    photoCount: 3,
    expectedLabels: ['prateleira'],
    expectedTexts: [EXPECTED_PRICE],
    alwaysReview: false,
    schedule: 'daily',
    onceOn: null,
    weekdays: [],
    dueTime: '23:59',
    storeIds: [store.id],
  });

  const { page } = clerk;
  await page.goto('/compliance');
  await page.getByRole('link', { name: `Abrir ${title} — ${store.name}` }).click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  const taskId = page.url().split('/').pop()!;
  await waitForOfflineReady(page);

  // In the stockroom, no signal: the photos are kept on the tablet, the task queued.
  await clerk.context.setOffline(true);
  await page.getByTestId('photo-input').setInputFiles([await cameraPhoto(VISION_WIDTHS.shows, 1), await cameraPhoto(VISION_WIDTHS.shows, 2)]);
  await page.getByTestId('photo-input').setInputFiles([await cameraPhoto(VISION_WIDTHS.shows, 3)]);
  await expect(page.getByTestId('task-photos').getByRole('listitem')).toHaveCount(3);
  await expect(page.getByTestId('compliance-outbox')).toContainText('3 foto(s)');
  await page.getByLabel('Gôndola abastecida').check();
  await page.getByRole('button', { name: 'Enviar tarefa' }).click();
  await expect(page.getByText(/Tarefa pronta para envio/)).toBeVisible();
  await expect(page.getByTestId('compliance-outbox')).toContainText('1 tarefa(s) para enviar');

  // The tablet is reloaded with the network still off: the service worker serves the page, IndexedDB kept everything.
  await page.reload();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await expect(page.getByTestId('compliance-outbox')).toContainText('3 foto(s)');

  // Back online: the first upload's answer is lost on the way back (it reached the server); the retry stores it once.
  let dropped = 0;
  await page.route('**/api/trpc/compliance.uploadPhoto**', async (route) => {
    if (dropped++ === 0) {
      await route.fetch();
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  await clerk.context.setOffline(false);
  await expect(page.getByTestId('compliance-outbox')).toHaveCount(0, { timeout: 60_000 });

  const verdict = await expect
    .poll(async () => (await trpcQuery<TaskDetail>(manager.page.request, 'compliance.task', { taskId })).task.status, { timeout: 30_000 })
    .toBe('passed')
    .then(() => trpcQuery<TaskDetail>(manager.page.request, 'compliance.task', { taskId }));
  expect(verdict.photos).toHaveLength(3);
  expect(verdict.submissions).toHaveLength(1);
  expect(verdict.photos.every((p) => p.submissionId === verdict.submissions[0]!.id)).toBe(true);
  expect(dropped).toBeGreaterThanOrEqual(2);
  // The tablet forgot the photos the server has.
  expect(await page.evaluate(() => new Promise<number>((resolve) => {
    const open = indexedDB.open('myinventory-offline');
    open.onsuccess = () => {
      const count = open.result.transaction('compliancePhotos').objectStore('compliancePhotos').count();
      count.onsuccess = () => resolve(count.result);
    };
  }))).toBe(0);
  await page.reload();
  await expect(page.getByText('Aprovada').first()).toBeVisible();
  await closeContexts(clerk.context, manager.context);
});
