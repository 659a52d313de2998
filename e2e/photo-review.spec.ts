import sharp from 'sharp';
import { trpcMutation, trpcQuery, uniqueTag } from './fixtures/api';
import { expect, test } from './fixtures/auth';
import { LOW_SCORE_MARK, offPhotoEans } from './fixtures/photos';

type QueueItem = { id: string; name: string; photoId: string | null; imageReviewReason: string | null };

/**
 * Manual review of product photos, end to end: products created by a buyer go through the real pipeline (Open Food
 * Facts and OpenAI stand-ins, e2e/start-server.ts); two score low and wait in review with their candidate photo.
 * The buyer approves one, and replaces the other with a photo chosen on the device; both then show in the catalogue.
 */
test('a buyer approves one photo and replaces another with a photo from the device', async ({ page, loginAs }, testInfo) => {
  await loginAs('buyer', '/photos');
  // Each project (tablet, desktop) gets its own EANs: they share one server.
  const eans = testInfo.project.name === 'desktop' ? offPhotoEans.slice(3) : offPhotoEans.slice(0, 3);
  const tag = uniqueTag();
  const names = [`${LOW_SCORE_MARK} Aprovar ${tag}`, `${LOW_SCORE_MARK} Trocar ${tag}`];
  const created = await Promise.all(names.map((name, i) => trpcMutation<{ id: string }>(page.request, 'products.create', { ean: eans[i], name })));

  // The pipeline decides in the background: wait until both are in the queue with a candidate.
  await expect
    .poll(async () => {
      const queue = await trpcQuery<{ items: QueueItem[] }>(page.request, 'images.reviewQueue', { limit: 200 });
      return created.filter((p) => queue.items.some((i) => i.id === p.id && i.photoId && i.imageReviewReason === 'low_score')).length;
    }, { timeout: 30_000 })
    .toBe(2);
  await page.reload();

  const queue = page.getByRole('list', { name: 'Fotos esperando revisão' });
  const approveCard = queue.getByRole('listitem').filter({ has: page.getByRole('heading', { name: names[0] }) });
  const replaceCard = queue.getByRole('listitem').filter({ has: page.getByRole('heading', { name: names[1] }) });
  await expect(approveCard.getByRole('img', { name: `Foto candidata de ${names[0]}` })).toBeVisible();
  await expect(approveCard).toContainText('A análise automática não teve certeza');
  await expect(approveCard).toContainText('Nota 35%');
  await expect(approveCard).toContainText('A embalagem da foto parece ser de outro produto');
  // The candidate photo is really served (a decoded image, not a broken one). It loads lazily: bring it on screen
  // as a person would (the queue holds other runs' products too, and this card can sit below the fold).
  await approveCard.getByRole('img').scrollIntoViewIfNeeded();
  await expect.poll(() => approveCard.getByRole('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

  await approveCard.getByRole('button', { name: 'Aprovar foto' }).click();
  await expect(page.getByText(`Foto de ${names[0]} aprovada.`)).toBeVisible();
  await expect(approveCard).toHaveCount(0);

  // A photo from the device: a red square, taken through the file input the camera also uses.
  const photo = await sharp({ create: { width: 1200, height: 900, channels: 3, background: { r: 200, g: 30, b: 30 } } }).jpeg().toBuffer();
  await replaceCard.getByLabel(`Tirar ou escolher uma foto de ${names[1]}`).setInputFiles({ name: 'foto.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect(page.getByText(`Foto nova de ${names[1]} salva e aprovada.`)).toBeVisible();
  await expect(replaceCard).toHaveCount(0);

  // Both now show their photo where people look for products.
  await page.goto('/catalogue');
  await page.getByLabel('Buscar por nome ou EAN').fill(tag.toLowerCase());
  const rows = page.getByRole('table', { name: 'Produtos' }).getByRole('rowgroup').last().getByRole('row');
  await expect(rows).toHaveCount(2);
  // A picture column on the tablet, the photo beside the name on a wide screen: one visible, loaded photo a row.
  for (const row of await rows.all()) {
    await expect.poll(() => row.locator('img:visible').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  }
  const products = await trpcQuery<{ items: { name: string; photoId: string | null }[] }>(page.request, 'products.list', { search: tag.toLowerCase(), limit: 5 });
  expect(products.items.map((p) => Boolean(p.photoId))).toEqual([true, true]);
});
