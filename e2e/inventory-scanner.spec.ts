import { expect, test } from './fixtures/auth';
import { demoUsers } from './fixtures/auth';
import { clerkCountingAtCentro, openCounting, pendingCount, progressOf, signedInContext, TABLET, wedgeScan } from './fixtures/inventory';

/**
 * A keyboard-wedge scanner types into whatever has the focus. On the counting screen a scan made with the focus in
 * Quantidade, in Zona, or on a button just tapped still counts, and leaves those fields as the clerk set them.
 */
test('a scan made with the focus in another field or on a button still counts, with the quantity the clerk typed', async ({ browser }) => {
  const { manager, clerk, session, products, page } = await clerkCountingAtCentro(browser, 3);
  try {
    await openCounting(page, session.id);
    const feedback = page.getByTestId('scan-feedback');
    const recent = page.getByTestId('recent-scans').getByRole('listitem');

    // Quantidade: the clerk types 12 by hand, then scans without going back to the scan field.
    const quantity = page.getByLabel('Quantidade');
    await quantity.fill('');
    await quantity.pressSequentially('12', { delay: 120 });
    await wedgeScan(page, products[0]!.ean);
    await expect(feedback).toContainText(products[0]!.name);
    await expect(feedback).toContainText('+12');
    await expect(quantity).toHaveValue('1');
    await expect(page.getByLabel('Código de barras')).toBeFocused();

    // Zona: the zone typed stays, and the scan is recorded in it.
    const zone = page.getByLabel('Zona');
    await zone.fill('Corredor 7');
    await zone.focus();
    await wedgeScan(page, products[1]!.ean);
    await expect(recent.first()).toContainText(products[1]!.name);
    await expect(recent.first()).toContainText('Corredor 7');
    await expect(zone).toHaveValue('Corredor 7');

    // A button just tapped has the focus: the digits go to the scan field.
    await page.getByRole('button', { name: 'Sincronizar agora' }).focus();
    await wedgeScan(page, products[2]!.ean);
    await expect(recent.first()).toContainText(products[2]!.name);

    // The pending count can read 0 a moment before the last scan is counted as pending: ask the server.
    await expect.poll(async () => (await progressOf(manager.page.request, session.id)).totals.entries, { timeout: 20_000 }).toBe(3);
    await expect(pendingCount(page)).toHaveText('0', { timeout: 20_000 });
  } finally {
    await clerk.context.close();
    await manager.context.close();
  }
});

test('a quantity the server cannot store is refused on the tablet, and the scans after it still sync', async ({ browser }) => {
  const { manager, clerk, session, products, page } = await clerkCountingAtCentro(browser, 1);
  try {
    await openCounting(page, session.id);
    const quantity = page.getByLabel('Quantidade');
    await quantity.fill('2.000.000');
    await page.getByLabel('Código de barras').focus();
    await wedgeScan(page, products[0]!.ean);
    await expect(page.getByTestId('scan-feedback')).toContainText('Quantidade inválida');
    // "1.250" is 1250 in Brazil and 1.25 on a dot-only keypad: a thousandfold apart, so the tablet asks.
    await quantity.fill('1.250');
    await page.getByLabel('Código de barras').focus();
    await wedgeScan(page, products[0]!.ean);
    await expect(page.getByTestId('scan-feedback')).toContainText('ambígua');
    await quantity.fill('1,25');
    await page.getByLabel('Código de barras').focus();
    await wedgeScan(page, products[0]!.ean);
    await expect(page.getByTestId('scan-feedback')).toContainText('+1,25');
    await expect.poll(async () => (await progressOf(manager.page.request, session.id)).totals.entries, { timeout: 20_000 }).toBe(1);
    await expect(pendingCount(page)).toHaveText('0', { timeout: 20_000 });
  } finally {
    await clerk.context.close();
    await manager.context.close();
  }
});

test('a reading is corrected or undone from the list, and an empty correction cannot be saved', async ({ browser }) => {
  const { manager, clerk, session, products, page } = await clerkCountingAtCentro(browser, 2);
  try {
    await openCounting(page, session.id);
    const recent = page.getByTestId('recent-scans').getByRole('listitem');
    await wedgeScan(page, products[0]!.ean);
    await expect(recent.first()).toContainText(products[0]!.name);
    await recent.first().getByRole('button', { name: 'Corrigir' }).click();
    const correct = page.getByLabel('Quantidade correta');
    await correct.fill('');
    await expect(page.getByRole('button', { name: 'Salvar correção' })).toBeDisabled();
    await correct.fill('3');
    await page.getByRole('button', { name: 'Salvar correção' }).click();
    await expect(recent.first()).toContainText('corrigida para 3');

    await wedgeScan(page, products[1]!.ean);
    await expect(recent.first()).toContainText(products[1]!.name);
    await recent.first().getByRole('button', { name: 'Desfazer' }).click();
    await expect(recent.first()).toContainText('desfeita');
    // Two readings, a correction and an undo: four entries on the server (corrections are entries too).
    await expect.poll(async () => (await progressOf(manager.page.request, session.id)).totals.entries, { timeout: 20_000 }).toBe(4);
  } finally {
    await clerk.context.close();
    await manager.context.close();
  }
});

test('opening a partial inventory without zones or categories says so next to the field, and sends nothing', async ({ browser }) => {
  const manager = await signedInContext(browser, demoUsers.manager.email, TABLET);
  try {
    const opens: string[] = [];
    manager.page.on('request', (r) => (r.url().includes('inventory.open') ? opens.push(r.url()) : undefined));
    await manager.page.goto('/inventory');
    const form = manager.page.getByRole('form', { name: 'Abrir inventário' });
    await form.getByLabel('Abrangência').selectOption('partial');
    await form.getByLabel('Limite de divergência (%)').fill('abc');
    await form.getByRole('button', { name: 'Abrir inventário' }).click();
    await expect(form.getByText('Informe as zonas ou as categorias que o inventário parcial conta')).toBeVisible();
    await expect(form.getByText('Informe um número, como 10 ou 2,5')).toBeVisible();
    await expect(form.getByLabel('Limite de divergência (%)')).toHaveAttribute('aria-invalid', 'true');
    expect(opens).toEqual([]);
  } finally {
    await manager.context.close();
  }
});
