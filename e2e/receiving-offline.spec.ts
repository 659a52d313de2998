import { randomUUID } from 'node:crypto';
import type { APIRequestContext } from '@playwright/test';
import { expect, test } from './fixtures/auth';
import { findProduct, trpcMutation, trpcQuery } from './fixtures/api';
import { demoUsers } from './fixtures/auth';
import { closeContexts, pendingCount, scan, signedInContext, storeProducts, TABLET, waitForOfflineReady } from './fixtures/inventory';

type Level = { productId: string; quantity: number };
const balanceOf = async (request: APIRequestContext, storeId: string, ean: string) =>
  (await trpcQuery<{ items: Level[] }>(request, 'stock.levels', { storeId, search: ean, limit: 5 })).items[0]?.quantity ?? 0;

test('a clerk receives a delivery offline: the scans survive a reload and a lost answer, reach the server once, and closing puts them in stock', async ({ browser }) => {
  test.setTimeout(120_000);
  const admin = await signedInContext(browser, demoUsers.admin.email);
  const centro = admin.me.stores.find((s) => s.name === 'Loja Centro')!;
  // Two products the store awaits on no other request (a delivery fills the oldest request first).
  const awaited = await trpcQuery<{ items: { ean: string }[] }>(admin.page.request, 'receiving.toReceive', { storeId: centro.id });
  const free = (await storeProducts(admin.page.request, centro.id, 40)).filter((p) => !awaited.items.some((i) => i.ean === p.ean));
  const [sugar, sponge] = await Promise.all(free.slice(0, 2).map((p) => findProduct(admin.page.request, p.name)));
  if (!sugar || !sponge) throw new Error('the demo store has no two products free of open requests');
  // An approved request of Loja Centro: 6 of one, 4 of the other.
  const requestId = randomUUID();
  const request = await trpcMutation<{ number: string; items: { id: string }[] }>(admin.page.request, 'purchaseRequests.create', {
    id: requestId,
    storeId: centro.id,
    note: 'e2e receiving',
    items: [
      { productId: sugar.id, quantity: 6 },
      { productId: sponge.id, quantity: 4 },
    ],
    submit: true,
  });
  await trpcMutation(admin.page.request, 'purchaseRequests.decideItems', { decisions: request.items.map((i) => ({ itemId: i.id, decision: 'approve' })) });
  const before = { sugar: await balanceOf(admin.page.request, centro.id, sugar.ean), sponge: await balanceOf(admin.page.request, centro.id, sponge.ean) };

  const clerk = await signedInContext(browser, demoUsers.clerk.email, TABLET);
  const page = clerk.page;
  await page.goto('/receiving');
  await page.getByLabel('Loja').selectOption({ label: 'Loja Centro' });
  await expect(page.getByTestId('to-receive')).toContainText(request.number);
  await page.getByRole('button', { name: 'Nova entrega' }).click();
  await expect(page.getByLabel('Código de barras')).toBeEnabled();
  const receiptId = new URL(page.url()).searchParams.get('receipt')!;
  // Online once: the product table is on the tablet (names resolve offline), and the page opens without the network.
  await expect(page.getByTestId('products-on-tablet')).toHaveText(/^Produtos no tablet: [1-9][\d.]*$/, { timeout: 30_000 });
  await scan(page, sugar.ean);
  await expect(page.getByTestId('scan-feedback')).toContainText(`${sugar.name} +1`);
  await waitForOfflineReady(page);

  await clerk.context.setOffline(true);
  await expect(page.getByTestId('network-status')).toHaveText('Offline');
  for (let i = 0; i < 5; i++) await scan(page, sugar.ean);
  for (let i = 0; i < 3; i++) await scan(page, sponge.ean);
  // A mistaken scan, undone: it does not count.
  await scan(page, sponge.ean);
  await page.getByTestId('recent-scans').getByRole('button', { name: 'Desfazer' }).first().click();
  await expect(page.getByTestId('received-lines')).toContainText('faltam 1');
  const waiting = Number(await pendingCount(page).textContent());
  expect(waiting).toBeGreaterThanOrEqual(10);

  // A reload with the network off: the service worker serves the page, IndexedDB still has every scan.
  await page.reload();
  await expect(page.getByLabel('Código de barras')).toBeEnabled();
  await expect(pendingCount(page)).toHaveText(String(waiting));
  await expect(page.getByTestId('received-lines').getByRole('row').filter({ hasText: sugar.name })).toContainText('6');

  // The first batch reaches the server but its answer is lost: sent again, stored once.
  let lost = 0;
  await page.route('**/api/trpc/receiving.sync**', async (route) => {
    if (lost === 0) {
      lost++;
      await route.fetch();
      await route.abort('connectionreset');
      return;
    }
    await route.continue();
  });
  await clerk.context.setOffline(false);
  await expect(pendingCount(page)).toHaveText('0', { timeout: 60_000 });
  expect(lost).toBe(1);
  const onServer = await trpcQuery<{ lines: { ean: string; received: number }[] }>(admin.page.request, 'receiving.byId', { id: receiptId });
  expect(Object.fromEntries(onServer.lines.map((l) => [l.ean, l.received]))).toEqual({ [sugar.ean]: 6, [sponge.ean]: 3 });

  // Closing: the stock goes up by what arrived, and the missing sponge stays to receive.
  const close = page.getByTestId('close-receipt');
  await expect(close).toContainText('1 abaixo do pedido');
  await close.getByRole('button', { name: 'Fechar entrega e atualizar o estoque' }).click();
  await expect(page.getByTestId('receipt-closed')).toBeVisible();
  expect(await balanceOf(admin.page.request, centro.id, sugar.ean)).toBe(before.sugar + 6);
  expect(await balanceOf(admin.page.request, centro.id, sponge.ean)).toBe(before.sponge + 3);
  const left = await trpcQuery<{ items: { requestId: string; ean: string; remaining: number }[] }>(admin.page.request, 'receiving.toReceive', { storeId: centro.id });
  expect(left.items.filter((i) => i.requestId === requestId).map((i) => [i.ean, i.remaining])).toEqual([[sponge.ean, 1]]);
  // The store's closed deliveries list it with its difference.
  await page.getByRole('link', { name: 'Voltar às entregas' }).click();
  await page.getByLabel('Loja').selectOption({ label: 'Loja Centro' });
  await expect(page.getByRole('table', { name: 'Entregas fechadas' }).getByRole('row').nth(1)).toContainText('1 item chegou em parte');
  // The request shows what arrived.
  await admin.page.goto(`/purchase-requests/${requestId}`);
  await expect(admin.page.getByText('Recebido em parte')).toBeVisible();

  await closeContexts(clerk.context, admin.context);
});
