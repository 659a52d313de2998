import type { APIRequestContext, Page } from '@playwright/test';
import superjson from 'superjson';
import { trpcMutation, trpcQuery } from './fixtures/api';
import { demoUsers, expect, test } from './fixtures/auth';
import { cancelOpenSessions, closeContexts, signedInContext, storeProducts } from './fixtures/inventory';
import { device } from '../tests/helpers/devices';

type Summary = { lines: number; countedLines: number; uncountedExpectedLines: number; uncountedExpectedValue: number; keptLines: number; zeroedLines: number };
type Line = { ean: string; name: string | null; counted: number; expected: number; entryCount: number; uncounted: 'kept' | 'zeroed' | null };
type Review = { items: Line[]; summary: Summary };
const reviewOf = (request: APIRequestContext, sessionId: string) => trpcQuery<Review>(request, 'inventory.review', { sessionId, limit: 2000 });

/** What the review says of money, as the screen writes it (R$ 1.234,56). */
const brl = (value: number) => new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' }).format(value).replace(/\s/g, ' ');

async function openCount(request: APIRequestContext, input: { storeId: string; categories?: string[]; assignments: { userId: string }[] }) {
  await cancelOpenSessions(request, input.storeId);
  return trpcMutation<{ id: string }>(request, 'inventory.open', {
    storeId: input.storeId,
    scope: input.categories ? 'partial' : 'full',
    categories: input.categories ?? null,
    assignments: input.assignments,
  });
}

/** A tablet's sync of one scan per EAN (a superjson body: countedAt is a Date). */
async function countOnce(request: APIRequestContext, sessionId: string, eans: string[]) {
  const entries = eans.map((ean, i) => ({ id: crypto.randomUUID(), ean, quantity: 3, zone: '', countedAt: new Date(), seq: i + 1 }));
  const response = await request.post('/api/trpc/inventory.sync', { data: superjson.serialize({ sessionId, entries, ...device(`tab-e2e-fin-${sessionId.slice(0, 6)}`), pendingCount: 0 }) });
  expect(response.status(), await response.text()).toBe(200);
}

/** Opens the manager's screen of the session and the finalize dialog; returns the dialog. */
async function openFinalizeDialog(page: Page, sessionId: string) {
  await page.goto(`/inventory/${sessionId}`);
  await expect(page.getByTestId('review-summary')).toBeVisible();
  await page.getByRole('button', { name: 'Finalizar', exact: true }).click();
  return page.getByRole('alertdialog');
}

test.describe.configure({ mode: 'serial' });

test('products nobody counted are shown with their value, and keeping their expected quantity leaves their stock alone', async ({ browser }) => {
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const bairro = manager.me.stores.find((s) => s.name === 'Loja Bairro')!;
  const session = await openCount(manager.page.request, { storeId: bairro.id, assignments: [{ userId: manager.me.user.id }] });
  const [counted] = await storeProducts(manager.page.request, bairro.id, 1);
  await countOnce(manager.page.request, session.id, [counted!.ean]);
  const { summary } = await reviewOf(manager.page.request, session.id);
  expect(summary.uncountedExpectedLines).toBeGreaterThan(5);
  const figure = `${summary.uncountedExpectedLines} produtos com estoque nunca foram contados`;

  const page = manager.page;
  const dialog = await openFinalizeDialog(page, session.id);
  await expect(page.getByTestId('review-uncounted')).toContainText(figure);
  await expect(page.getByTestId('review-uncounted')).toContainText(brl(summary.uncountedExpectedValue));
  const choice = dialog.getByTestId('uncounted-choice');
  await expect(choice).toContainText(`${summary.uncountedExpectedLines} produtos nunca foram contados`);
  await expect(choice).toContainText(brl(summary.uncountedExpectedValue));
  // Nothing is chosen for the manager: the confirm button waits for a choice.
  await expect(dialog.getByRole('button', { name: 'Finalizar mantendo o esperado' })).toBeDisabled();
  await page.screenshot({ path: 'test-results/inventory-finalize-uncounted.png' });
  await choice.getByLabel(/Manter a quantidade esperada/).check();
  await dialog.getByRole('button', { name: 'Finalizar mantendo o esperado' }).click();
  await expect(page.getByText(/Inventário finalizado/)).toBeVisible();

  const after = await reviewOf(page.request, session.id);
  expect(after.summary).toMatchObject({ keptLines: summary.uncountedExpectedLines, zeroedLines: 0 });
  const kept = after.items.find((l) => l.uncounted === 'kept')!;
  expect(kept.counted).toBe(kept.expected);
  await expect(page.getByTestId('review-uncounted')).toContainText(`${summary.uncountedExpectedLines} mantidos com a quantidade esperada`);
  await closeContexts(manager.context);
});

test('setting the uncounted products to zero needs their number typed back', async ({ browser }) => {
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const shopping = manager.me.stores.find((s) => s.name === 'Loja Shopping')!;
  // A partial count of the bakery: only its few products can be zeroed by this test.
  const session = await openCount(manager.page.request, { storeId: shopping.id, categories: ['Padaria'], assignments: [{ userId: manager.me.user.id }] });
  const before = await reviewOf(manager.page.request, session.id);
  const withStock = before.items.filter((l) => l.expected !== 0);
  expect(withStock.length).toBeGreaterThanOrEqual(2);
  await countOnce(manager.page.request, session.id, [withStock[0]!.ean]);
  const lines = withStock.length - 1;

  const page = manager.page;
  const dialog = await openFinalizeDialog(page, session.id);
  const choice = dialog.getByTestId('uncounted-choice');
  await choice.getByLabel(/Zerar o estoque/).check();
  const zero = dialog.getByRole('button', { name: `Finalizar e zerar ${lines === 1 ? '1 produto' : `${lines} produtos`}` });
  await expect(zero).toBeDisabled();
  const typed = choice.getByLabel(`Digite ${lines} para confirmar`, { exact: false });
  await typed.fill(String(lines + 1));
  await expect(zero).toBeDisabled();
  await typed.fill(String(lines));
  await expect(zero).toBeEnabled();
  await zero.click();
  await expect(page.getByText(/Inventário finalizado/)).toBeVisible();

  const after = await reviewOf(page.request, session.id);
  expect(after.summary.zeroedLines).toBe(lines);
  for (const line of after.items.filter((l) => l.uncounted === 'zeroed')) expect(line.counted).toBe(0);
  await expect(page.getByRole('row', { name: new RegExp(withStock[1]!.ean) })).toContainText('não contado · zerado');
  await closeContexts(manager.context);
});

test('the manager asks for the uncounted products to be counted instead, and the count stays open', async ({ browser }) => {
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const centro = manager.me.stores.find((s) => s.name === 'Loja Centro')!;
  const session = await openCount(manager.page.request, { storeId: centro.id, categories: ['Açougue'], assignments: [{ userId: manager.me.user.id }] });
  const uncounted = (await reviewOf(manager.page.request, session.id)).items.filter((l) => l.expected !== 0).map((l) => l.ean);
  expect(uncounted.length).toBeGreaterThan(0);

  const page = manager.page;
  const dialog = await openFinalizeDialog(page, session.id);
  await dialog.getByTestId('uncounted-choice').getByLabel(/Contar agora/).check();
  await dialog.getByRole('button', { name: 'Pedir a contagem' }).click();
  await expect(page.getByText(/Pedida a contagem de \d+ produtos? nunca contados?/)).toBeVisible();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  const detail = await trpcQuery<{ status: string; recountRequests: { ean: string }[] }>(page.request, 'inventory.byId', { id: session.id });
  expect(detail.status).toBe('open');
  expect(detail.recountRequests.map((r) => r.ean).sort()).toEqual([...uncounted].sort());
  await expect(page.getByRole('row', { name: new RegExp(uncounted[0]!) })).toContainText('recontagem pedida');
  await trpcMutation(page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });
  await closeContexts(manager.context);
});

test('a count is cancelled from its screen with a reason; opening another while one is open links to it', async ({ browser }) => {
  const manager = await signedInContext(browser, demoUsers.manager.email);
  const centro = manager.me.stores.find((s) => s.name === 'Loja Centro')!;
  const session = await openCount(manager.page.request, { storeId: centro.id, assignments: [] });
  const page = manager.page;

  // The inventory page refuses a second open count for the store and leads to the one that is open.
  await page.goto('/inventory');
  const form = page.getByRole('form', { name: 'Abrir inventário' });
  await form.getByLabel('Loja').selectOption({ label: 'Loja Centro' });
  await form.getByRole('button', { name: 'Abrir inventário' }).click();
  await expect(form.getByRole('alert')).toContainText('finalize ou cancele');
  await form.getByTestId('open-session-link').click();
  await expect(page).toHaveURL(new RegExp(`/inventory/${session.id}$`));

  await page.getByRole('button', { name: 'Cancelar inventário' }).click();
  const dialog = page.getByRole('alertdialog');
  await dialog.getByRole('button', { name: 'Cancelar inventário' }).click();
  await expect(dialog.getByText('Informe o motivo do cancelamento')).toBeVisible();
  await dialog.getByLabel('Motivo').fill('Aberto na loja errada');
  await dialog.getByRole('button', { name: 'Cancelar inventário' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByText(/Cancelado · .*cancelado em .*: Aberto na loja errada/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Finalizar', exact: true })).toHaveCount(0);
  const detail = await trpcQuery<{ status: string; cancelReason: string }>(page.request, 'inventory.byId', { id: session.id });
  expect(detail).toMatchObject({ status: 'cancelled', cancelReason: 'Aberto na loja errada' });
  await closeContexts(manager.context);
});
