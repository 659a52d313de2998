import { findProduct, trpcQuery, uniqueTag } from './fixtures/api';
import { expect, loginAs, test } from './fixtures/auth';
import { wedgeScan } from './fixtures/inventory';

/** Both are Mercearia, which the demo seed gives to Carlos Comprador (comprador@demo.test). */
const APPROVED = 'Sal Refinado Cisne 1kg';
const REJECTED = 'Farinha de Trigo Dona Benta 1kg';

test('a clerk scans a request, the buyer approves one item and rejects another, and the clerk sees the outcome and a notification', async ({
  page,
  browser,
}) => {
  const tag = uniqueTag();
  const approvedNote = `e2e ${tag} sal`;
  const rejectedNote = `e2e ${tag} farinha`;
  const reason = `Estoque suficiente no CD (${tag})`;

  await loginAs(page, 'clerk', '/purchase-requests/new');
  const sal = await findProduct(page.request, APPROVED);
  const farinha = await findProduct(page.request, REJECTED);

  // A keyboard-wedge scanner: 13 digits and Enter, fast, into the field that has the focus.
  const scanField = page.getByLabel('Código de barras (EAN)');
  await expect(scanField).toBeFocused();
  const scan = async (code: string) => {
    await page.keyboard.type(code, { delay: 5 });
    await page.keyboard.press('Enter');
  };

  await scan(sal.ean);
  await expect(page.getByRole('textbox', { name: `Quantidade de ${APPROVED}` })).toHaveValue('1');
  await scan(sal.ean);
  await expect(page.getByRole('textbox', { name: `Quantidade de ${APPROVED}` })).toHaveValue('2');
  await expect(scanField).toBeFocused();

  // A misread code: the wrong check digit is caught in the browser, and the next scan still lands in the field.
  const wrong = sal.ean.slice(0, 12) + String((Number(sal.ean[12]) + 1) % 10);
  await scan(wrong);
  await expect(page.getByText(`Dígito verificador incorreto no código ${wrong}`)).toBeVisible();
  await expect(scanField).toBeFocused();

  await scan(farinha.ean);
  await expect(page.getByRole('textbox', { name: `Quantidade de ${REJECTED}` })).toHaveValue('1');
  await expect(page.getByText('2 produtos · 3 unidades')).toBeVisible();

  await page.getByRole('textbox', { name: `Observação de ${APPROVED}` }).fill(approvedNote);
  await page.getByRole('textbox', { name: `Observação de ${REJECTED}` }).fill(rejectedNote);
  await page.getByRole('button', { name: 'Enviar para aprovação' }).click();

  await expect(page).toHaveURL(/\/purchase-requests\/[0-9a-f-]{36}\?created=submitted$/);
  const requestId = /purchase-requests\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  await expect(page.getByText('Solicitação enviada para aprovação')).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Pendente' })).toBeVisible();
  const items = page.getByRole('table', { name: /Itens da solicitação/ });
  await expect(items.getByRole('row', { name: new RegExp(APPROVED) })).toContainText('2 un');

  // The buyer responsible for both products decides, line by line.
  const buyerContext = await browser.newContext();
  try {
    const buyer = await buyerContext.newPage();
    await loginAs(buyer, 'buyer', '/approvals');
    const approvedRow = buyer.getByRole('row').filter({ hasText: approvedNote });
    const rejectedRow = buyer.getByRole('row').filter({ hasText: rejectedNote });
    await expect(approvedRow).toContainText(APPROVED);
    await expect(approvedRow).toContainText(sal.ean);
    await expect(approvedRow).toContainText('Loja Centro');
    await expect(approvedRow).toContainText('Camila Caixa');
    // What the buyer decides by: the store's stock (the demo seeds every store's stock), the last 30 days, the price.
    await expect(approvedRow.getByTestId('line-context')).toContainText(/Estoque na loja: [\d.,]+ un \(em /);
    await expect(approvedRow).toContainText(/Últimos 30 dias nesta loja: pedido [\d.,]+, aprovado [\d.,]+/);
    await expect(approvedRow).toContainText('Preço de referência: R$');

    await approvedRow.getByRole('textbox', { name: `Qtd. a aprovar de ${APPROVED}` }).fill('1');
    await approvedRow.getByRole('button', { name: `Aprovar ${APPROVED}` }).click();
    await expect(buyer.getByText('1 item aprovado. A loja foi avisada.')).toBeVisible();
    await expect(approvedRow).toHaveCount(0);

    await rejectedRow.getByRole('button', { name: `Recusar ${REJECTED}` }).click();
    const dialog = buyer.getByRole('dialog', { name: 'Recusar item' });
    await dialog.getByRole('button', { name: 'Recusar item' }).click();
    await expect(dialog.getByText('Informe o motivo da recusa')).toBeVisible();
    await dialog.getByLabel('Motivo da recusa').fill(reason);
    await dialog.getByRole('button', { name: 'Recusar item' }).click();
    await expect(buyer.getByText('1 item recusado. A loja foi avisada.')).toBeVisible();
    await expect(rejectedRow).toHaveCount(0);
  } finally {
    await buyerContext.close();
  }

  // Back at the store: the decisions on the request, and the bell.
  await page.reload();
  await expect(page.getByRole('definition').filter({ hasText: 'Parcialmente aprovada' })).toBeVisible();
  const approvedItem = items.getByRole('row', { name: new RegExp(APPROVED) });
  await expect(approvedItem).toContainText('Aprovado');
  // The approved quantity, and under it that the store has yet to receive it.
  await expect(approvedItem.locator('td[data-label="Aprovada"]')).toHaveText(/^1 un\s*A receber$/);
  await expect(approvedItem).toContainText('Carlos Comprador');
  const rejectedItem = items.getByRole('row', { name: new RegExp(REJECTED) });
  await expect(rejectedItem).toContainText('Recusado');
  await expect(rejectedItem).toContainText(reason);

  await page.goto('/');
  const bell = page.getByRole('button', { name: /^Notificações, \d+ não lidas?$/ });
  await expect(bell).toBeVisible();
  await bell.click();
  const panel = page.getByRole('region', { name: 'Notificações' });
  const rejection = panel.getByRole('button').filter({ hasText: reason });
  // It names the product, the decision and the request by its number.
  const { number } = await trpcQuery<{ number: string }>(page.request, 'purchaseRequests.byId', { id: requestId });
  await expect(rejection).toContainText(`${REJECTED}: recusado — pedido ${number}`);
  await rejection.click();
  await expect(page).toHaveURL(`/purchase-requests/${requestId}`);
  await expect(page.getByRole('heading', { level: 1, name: `Solicitação ${number}` })).toBeVisible();

  await page.getByRole('button', { name: /^Notificações/ }).click();
  await panel.getByRole('button', { name: 'Marcar todas como lidas' }).click();
  await expect(page.getByRole('button', { name: 'Notificações', exact: true })).toBeVisible();
});

test('the scan field answers an unknown EAN inline and keeps the focus', async ({ page, loginAs }) => {
  await loginAs('clerk', '/purchase-requests/new');
  const scanField = page.getByLabel('Código de barras (EAN)');
  // A valid EAN-13 that is not in the demo catalogue.
  await page.keyboard.type('4006381333931');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Produto não encontrado: nenhum produto com o EAN 4006381333931 no catálogo.')).toBeVisible();
  await expect(scanField).toBeFocused();
  await expect(scanField).toHaveValue('');
  await page.getByRole('button', { name: 'Enviar para aprovação' }).click();
  await expect(page.getByText('Escaneie pelo menos um produto antes de salvar.')).toBeVisible();
});

test('a scan with the focus in a note or on a stepper button still adds the product, and the note keeps its text', async ({ page, loginAs }) => {
  await loginAs('clerk', '/purchase-requests/new');
  const product = await findProduct(page.request, 'Açúcar Refinado União 1kg');
  const quantity = page.getByRole('textbox', { name: 'Quantidade de Açúcar Refinado União 1kg' });
  await wedgeScan(page, product.ean);
  await expect(quantity).toHaveValue('1');

  const note = page.getByRole('textbox', { name: 'Observação da solicitação' });
  await note.fill('Falta na gôndola');
  await note.focus();
  await wedgeScan(page, product.ean);
  await expect(quantity).toHaveValue('2');
  await expect(note).toHaveValue('Falta na gôndola');
  await expect(page.getByLabel('Código de barras (EAN)')).toBeFocused();

  // On Android, a tapped "+" keeps the focus: the scanner's Enter must not press it again.
  await page.getByRole('button', { name: 'Aumentar a quantidade de Açúcar Refinado União 1kg' }).focus();
  await wedgeScan(page, product.ean);
  await expect(quantity).toHaveValue('3');
});

test('an answer lost on the way back is sent again by itself with the same id: one request, not two', async ({ page, loginAs }) => {
  await loginAs('clerk', '/purchase-requests/new');
  const product = await findProduct(page.request, 'Açúcar Refinado União 1kg');
  const note = `e2e retry ${uniqueTag()}`;

  await page.keyboard.type(product.ean);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('textbox', { name: 'Quantidade de Açúcar Refinado União 1kg' })).toHaveValue('1');
  await page.getByRole('textbox', { name: 'Observação da solicitação' }).fill(note);

  // The first create reaches the server and is saved, slowly, and its answer never arrives.
  let attempts = 0;
  await page.route('**/api/trpc/purchaseRequests.create*', async (route) => {
    attempts++;
    if (attempts > 1) return route.continue();
    await new Promise((resolve) => setTimeout(resolve, 800));
    await route.fetch();
    await route.abort('connectionreset');
  });

  const send = page.getByRole('button', { name: /Enviar para aprovação|Enviando…/ });
  await send.click();
  await expect(page.getByRole('button', { name: 'Enviando…' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Salvar rascunho' })).toBeDisabled();
  // No answer is not a refusal: the tablet sends it again by itself (src/lib/trpc/offline-changes.ts), with the same id.
  await expect(page).toHaveURL(/\/purchase-requests\/[0-9a-f-]{36}\?created=submitted$/, { timeout: 15_000 });
  expect(attempts).toBe(2);

  const mine = await trpcQuery<{ items: { id: string; note: string | null; status: string }[] }>(page.request, 'purchaseRequests.list', { mine: true, limit: 50 });
  const saved = mine.items.filter((r) => r.note === note);
  expect(saved).toHaveLength(1);
  expect(saved[0]!.status).toBe('pending');
  expect(page.url()).toContain(saved[0]!.id);
});

test('a draft is saved, then sent for approval from its page', async ({ page, loginAs }) => {
  await loginAs('clerk', '/purchase-requests/new');
  const product = await findProduct(page.request, 'Óleo de Soja Liza 900ml');
  await page.keyboard.type(product.ean);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('textbox', { name: `Quantidade de ${product.name}` })).toHaveValue('1');
  await page.getByRole('textbox', { name: `Quantidade de ${product.name}` }).fill('12');
  await page.getByRole('button', { name: 'Salvar rascunho' }).click();

  await expect(page).toHaveURL(/\?created=draft$/);
  await expect(page.getByText('Rascunho salvo.')).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Rascunho' })).toBeVisible();
  await page.getByRole('button', { name: 'Enviar para aprovação' }).click();
  await expect(page.getByText('Solicitação enviada para aprovação')).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Pendente' })).toBeVisible();
  await expect(page.getByRole('table', { name: /Itens da solicitação/ }).getByRole('row', { name: new RegExp(product.name) })).toContainText('Carlos Comprador');
});
