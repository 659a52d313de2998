import { randomUUID } from 'node:crypto';
import { findProduct, trpcMutation, trpcQuery, uniqueTag } from './fixtures/api';
import { DEMO_PASSWORD, expect, loginAs, test } from './fixtures/auth';

test('the manager sees KPIs and three charts with data', async ({ page, loginAs }) => {
  await loginAs('manager', '/dashboard');
  await expect(page.getByRole('heading', { level: 1, name: 'Painel' })).toBeVisible();

  const kpis = page.getByRole('region', { name: 'Solicitações da rede' });
  for (const label of ['Pendente', 'Parcialmente aprovada', 'Aprovada', 'Recusada', 'Fechada', 'Itens aguardando aprovação']) {
    const card = kpis.getByRole('listitem').filter({ hasText: new RegExp(`^${label}`) });
    await expect(card).toContainText(/\d/);
    await expect(card).toContainText('R$');
  }
  // The demo seed has pending requests: the card shows a count above zero.
  await expect(kpis.getByRole('listitem').filter({ hasText: /^Pendente/ })).toContainText(/Pendente\s*[1-9]/);

  const daily = page.getByRole('figure', { name: 'Solicitações por dia (últimos 30 dias)' });
  await expect(daily.locator('.recharts-line-curve').first()).toBeVisible();
  expect(await daily.locator('.recharts-line-curve').count()).toBe(3);

  const perStore = page.getByRole('figure', { name: 'Valor solicitado por loja (30 dias)' });
  await expect(perStore.locator('.recharts-bar-rectangle path').first()).toBeVisible();
  expect(await perStore.locator('.recharts-bar-rectangle path').count()).toBeGreaterThanOrEqual(3);

  // Approval rates come from a materialized view refreshed on a timer (every 5 s in the e2e server).
  const approval = page.getByRole('figure', { name: 'Taxa de aprovação por comprador' });
  await expect(async () => {
    await page.reload();
    await expect(approval.locator('.recharts-bar-rectangle path').first()).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 20_000 });

  await expect(page.getByRole('status', { name: /Atualização ao vivo: Ao vivo/ })).toBeVisible();
  await expect(page.getByText(/Dados de \d{2}:\d{2}:\d{2}/)).toBeVisible();
});

test('a request submitted elsewhere shows on an open dashboard, without reloading', async ({ page, browser }) => {
  // Loja Shopping: no other test submits requests there, so only this test's request can change its list.
  await loginAs(page, 'manager', '/dashboard');
  await page.getByRole('combobox', { name: 'Loja' }).selectOption({ label: 'Loja Shopping' });
  await expect(page.getByRole('region', { name: 'Solicitações — Loja Shopping' })).toBeVisible();
  const recent = page.getByRole('region', { name: 'Solicitações recentes' });
  await expect(page.getByRole('status', { name: /Atualização ao vivo: Ao vivo/ })).toBeVisible();
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

  const stockistContext = await browser.newContext();
  try {
    const stockist = await stockistContext.newPage();
    const login = await stockist.request.post('/api/trpc/auth.login', { data: { json: { email: 'estoque@demo.test', password: DEMO_PASSWORD } } });
    expect(login.status()).toBe(200);
    const me = await trpcQuery<{ stores: { id: string; name: string }[] }>(stockist.request, 'auth.me');
    const shopping = me.stores.find((s) => s.name === 'Loja Shopping')!;
    const product = await findProduct(stockist.request, 'Açúcar Refinado União 1kg');
    const id = randomUUID();
    const created = await trpcMutation<{ number: string }>(stockist.request, 'purchaseRequests.create', {
      id,
      storeId: shopping.id,
      note: `e2e live ${uniqueTag()}`,
      items: [{ productId: product.id, quantity: 7 }],
      submit: true,
    });
    // That it comes live, without a reload; no time budget here (a 2 s one failed on a loaded CI machine).
    await expect(recent.getByText(created.number, { exact: true })).toBeVisible();

    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  } finally {
    await stockistContext.close();
  }
});

test('"Carregar mais" continues the recent requests after the first page', async ({ page, loginAs }) => {
  await loginAs('manager');
  // Fourteen fresh requests (plus the seed's seven) fill two pages of ten, whatever else the database holds.
  const me = await trpcQuery<{ user: { storeIds: string[] } }>(page.request, 'auth.me');
  const product = await findProduct(page.request, 'Esponja Multiuso Scotch-Brite 3un');
  const tag = uniqueTag();
  for (let i = 0; i < 14; i++) {
    await trpcMutation(page.request, 'purchaseRequests.create', {
      id: randomUUID(),
      storeId: me.user.storeIds[0],
      note: `e2e paging ${tag} ${i}`,
      items: [{ productId: product.id, quantity: 1 }],
      submit: true,
    });
  }

  await page.goto('/dashboard');
  const recent = page.getByRole('region', { name: 'Solicitações recentes' });
  const rows = recent.getByRole('listitem');
  await expect(rows).toHaveCount(10);
  await recent.getByRole('button', { name: 'Carregar mais' }).click();
  await expect(rows).toHaveCount(20);
  await expect(recent.getByText('20 registros exibidos')).toBeVisible();

  // Expanding a request shows its items.
  await rows.first().locator('summary').click();
  await expect(rows.first().getByRole('table')).toContainText('Esponja Multiuso Scotch-Brite 3un');
});

test('a store chosen in the selector scopes the dashboard', async ({ page, loginAs }) => {
  await loginAs('manager', '/dashboard');
  await page.getByRole('combobox', { name: 'Loja' }).selectOption({ label: 'Loja Bairro' });
  await expect(page.getByRole('region', { name: 'Solicitações — Loja Bairro' })).toBeVisible();
  const stores = page.getByRole('table', { name: 'Indicadores por loja' });
  await expect(stores.getByRole('row', { name: /Loja Bairro/ })).toBeVisible();
  await expect(stores.getByRole('row', { name: /Loja Centro/ })).toHaveCount(0);
});
