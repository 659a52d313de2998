import type { Browser } from '@playwright/test';
import sharp from 'sharp';
import { expect, test } from './fixtures/auth';
import { trpcQuery, uniqueTag } from './fixtures/api';
import { demoUsers } from './fixtures/auth';
import { EXPECTED_PRICE, VISION_WIDTHS } from './fixtures/compliance';
import { closeContexts, signedInContext } from './fixtures/inventory';

type Tasks = { tasks: { id: string; title: string; status: string }[] };

const cameraPhoto = async (width: number) => ({
  name: 'foto.jpg',
  mimeType: 'image/jpeg',
  buffer: await sharp({ create: { width, height: 480, channels: 3, background: { r: 200, g: 120, b: 40 } } }).jpeg().toBuffer(),
});

test.describe.configure({ mode: 'serial' });

/** The manager makes a template on its screen; the clerk sends one photo; what Vision answers decides the rest. */
async function sendOnePhoto(browser: Browser, width: number) {
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const clerk = await signedInContext(browser, demoUsers.clerk.email);
  const store = clerk.me.stores[0]!;
  const title = `Cartaz da oferta ${uniqueTag()}`;

  const m = manager.page;
  await m.goto('/compliance/templates');
  const form = m.getByRole('form', { name: 'Novo modelo de tarefa' });
  await form.getByLabel('Título').fill(title);
  await form.getByLabel('Lista de verificação (um item por linha)').fill('Cartaz no lugar');
  await form.getByLabel(/Elementos que a foto deve mostrar/).fill('prateleira');
  await form.getByLabel(/Textos que a foto deve mostrar/).fill(EXPECTED_PRICE);
  await form.getByLabel('Prazo no dia').fill('23:59');
  await form.getByLabel(store.name).check();
  await form.getByRole('button', { name: 'Criar modelo' }).click();
  await expect(m.getByText('Modelo criado; as tarefas de hoje já estão nas lojas.')).toBeVisible();
  await expect(m.getByTestId('compliance-templates')).toContainText(title);

  const c = clerk.page;
  await c.goto('/compliance');
  await c.getByRole('link', { name: `Abrir ${title} — ${store.name}` }).click();
  await c.getByTestId('photo-input').setInputFiles([await cameraPhoto(width)]);
  await c.getByLabel('Cartaz no lugar').check();
  await c.getByRole('button', { name: 'Enviar tarefa' }).click();
  await expect(c.getByTestId('compliance-outbox')).toHaveCount(0, { timeout: 30_000 });
  const taskId = c.url().split('/').pop()!;
  // The verdict (the outbox empties once the photo is up, while the submit may still be on its way: 'open' then).
  await expect
    .poll(async () => (await trpcQuery<Tasks>(m.request, 'compliance.tasks', {})).tasks.find((t) => t.id === taskId)?.status, { timeout: 30_000 })
    .toMatch(/^(passed|failed|needs_review)$/);
  return { manager, clerk, title, taskId, store };
}

test('a photo whose tag shows another price fails with that reason, and the manager sends it back to the store', async ({ browser }) => {
  test.setTimeout(90_000);
  const { manager, clerk, title, taskId, store } = await sendOnePhoto(browser, VISION_WIDTHS.wrongPrice);
  const m = manager.page;
  await m.goto('/compliance/review');
  await expect(m.getByTestId('compliance-review')).toContainText(title);
  await expect(m.getByTestId('compliance-review')).toContainText(`Não encontrado: “${EXPECTED_PRICE}”`);
  await m.getByRole('link', { name: `Revisar ${title} — ${store.name}` }).click();
  await expect(m.getByText('Reprovada — aguardando revisão')).toBeVisible();
  await expect(m.getByTestId('expected-items')).toContainText(`✘ não encontrado: texto “${EXPECTED_PRICE}”`);
  await expect(m.getByTestId('expected-items')).toContainText('✔ encontrado: elemento “prateleira”');
  await m.getByText('O que o Google Vision viu').click();
  await expect(m.getByText(/R\$ 12,49/)).toBeVisible();
  await m.getByLabel('Comentário (obrigatório para devolver)').fill('O cartaz mostra o preço antigo; troque e fotografe de novo.');
  await m.getByRole('button', { name: 'Devolver à loja' }).click();
  await expect(m.getByText('A fazer').first()).toBeVisible();

  // The clerk sees it back, with the comment, and was notified.
  const c = clerk.page;
  await c.goto(`/compliance/${taskId}`);
  await expect(c.getByText('Devolvida pela revisão: O cartaz mostra o preço antigo; troque e fotografe de novo.')).toBeVisible();
  await c.goto('/');
  await expect
    .poll(async () => (await trpcQuery<{ items: { title: string }[] }>(c.request, 'notifications.list', { limit: 20 })).items.map((n) => n.title), { timeout: 20_000 })
    .toContain(`Refazer: ${title}`);
  await closeContexts(clerk.context, manager.context);
});

test('with Vision unavailable the task waits for a person, and the review screen approves it', async ({ browser }) => {
  test.setTimeout(90_000);
  const { manager, clerk, title, taskId, store } = await sendOnePhoto(browser, VISION_WIDTHS.unavailable);
  const m = manager.page;
  await m.goto('/compliance/review');
  await m.getByRole('link', { name: `Revisar ${title} — ${store.name}` }).click();
  await expect(m.getByText('Aguardando revisão').first()).toBeVisible();
  await expect(m.getByText('O Google Vision não respondeu; uma pessoa decide')).toBeVisible();
  await m.getByRole('button', { name: 'Aprovar' }).click();
  await expect(m.getByText(/Aprovada/).first()).toBeVisible();
  const tasks = await trpcQuery<Tasks>(m.request, 'compliance.tasks', {});
  expect(tasks.tasks.find((t) => t.id === taskId)?.status).toBe('passed');
  await closeContexts(clerk.context, manager.context);
});
