import postgres from 'postgres';
import { randomUUID } from 'node:crypto';
import type { Locator } from '@playwright/test';
import { uniqueTag } from './fixtures/api';
import { expect, loginWithForm, mainNav, test } from './fixtures/auth';
import { createOperatorWithCli, e2eDatabaseUrl, loginAsOperator, type PlatformOperator } from './fixtures/operator';

/**
 * The platform operator: created by the CLI, outside every organization, signing in on the same form as everyone.
 * Its area (/operator) holds what all orgs share: the queues and Bull Board, the system's dead letters, the process.
 */
let operator: PlatformOperator;
let sql: postgres.Sql;

test.beforeAll(() => {
  operator = createOperatorWithCli();
  sql = postgres(e2eDatabaseUrl(), { max: 1, onnotice: () => {} });
});
test.afterAll(async () => {
  await sql?.end({ timeout: 5 });
});

/** The value shown next to a label in a `<dl>` of figures. */
const figure = (scope: Locator, label: string) =>
  scope.locator('dl > div').filter({ has: scope.page().getByText(label, { exact: true }) }).locator('dd');

/** A dead letter of no organization, as a job without a valid org leaves one; valid enough to run again cleanly. */
async function insertSystemLetter(jobName: string): Promise<string> {
  const payload = { productId: randomUUID(), orgId: randomUUID(), ean: '7891000100103' };
  const [row] = await sql<{ id: string }[]>`
    insert into dead_letter_queue (org_id, source_queue, job_name, payload, error_message)
    values (null, 'image-processing', ${jobName}, ${sql.json(payload)}, 'falhou sem organização') returning id`;
  return row!.id;
}

test('signs in on the login form and lands on its own area: every org’s queues and the way to Bull Board', async ({ page }) => {
  await page.goto('/login');
  await loginWithForm(page, operator.email, operator.password);
  await expect(page).toHaveURL('/operator');
  const banner = page.getByRole('banner');
  await expect(banner.getByText(operator.name)).toBeVisible();
  await expect(banner.getByText('Operador da plataforma · todas as redes')).toBeVisible();
  await expect(mainNav(page).getByRole('link')).toHaveText(['Filas', 'Tarefas com erro do sistema', 'Processo']);

  await expect(page.getByRole('heading', { level: 1, name: 'Filas' })).toBeVisible();
  const events = page.getByRole('region', { name: 'Eventos de domínio domain-events' });
  await expect(events.getByRole('list', { name: 'Tarefas da fila Eventos de domínio' }).getByText('Em execução')).toBeVisible();
  await expect(figure(page.getByRole('region', { name: 'Eventos pendentes outbox' }), 'Eventos esperando')).toHaveText(/^\d+$/);
  await expect(page.getByRole('link', { name: 'Abrir o Bull Board' })).toHaveAttribute('href', '/admin/queues');
  expect((await page.request.get('/admin/queues')).status()).toBe(200);

  // An organization's pages are not the operator's: opening one sends it back to its own area.
  await page.goto('/admin/users');
  await expect(page).toHaveURL('/operator');
});

test('Bull Board works on a store LAN without internet: nothing is fetched from outside, and it links back to the app', async ({ page, context }) => {
  const outside: string[] = [];
  await context.route(
    (url) => url.hostname !== '127.0.0.1' && url.hostname !== 'localhost',
    (route) => {
      outside.push(route.request().url());
      return route.abort('internetdisconnected');
    },
  );
  await loginAsOperator(page, operator);
  await page.getByRole('link', { name: 'Abrir o Bull Board' }).click();
  await expect(page).toHaveURL(/\/admin\/queues/);
  await expect(page.getByText('domain-events').first()).toBeVisible();
  await expect(page.getByText('image-processing').first()).toBeVisible();
  // Push is off on this server: its idle queue is not listed (the board would flag it "no workers").
  await expect(page.getByText('fcm-notifications')).toHaveCount(0);
  expect(outside).toEqual([]);

  // Bull Board puts its extra links in the menu of the last button of its header.
  await page.locator('header li').last().getByRole('button').click();
  await page.getByRole('menuitem', { name: 'Voltar ao MyInventory' }).click();
  await expect(page).toHaveURL('/operator');
  expect(outside).toEqual([]);
});

test('retries and resolves the system’s dead letters, which no org admin sees', async ({ page, loginAs }) => {
  const tag = uniqueTag();
  const toRetry = `sistema-reenviar-${tag}`;
  const toResolve = `sistema-resolver-${tag}`;
  await insertSystemLetter(toRetry);
  await insertSystemLetter(toResolve);

  await loginAsOperator(page, operator, '/operator');
  await mainNav(page).getByRole('link', { name: 'Tarefas com erro do sistema', exact: true }).click();
  await expect(page).toHaveURL('/operator/dead-letters');
  await expect(page.getByRole('heading', { level: 1, name: 'Tarefas com erro do sistema' })).toBeVisible();

  const rowOf = (jobName: string) => page.getByRole('row').filter({ hasText: jobName });
  await rowOf(toRetry).getByRole('button', { name: `Reenviar ${toRetry}` }).click();
  await page.getByRole('alertdialog', { name: 'Reenviar tarefa' }).getByRole('button', { name: 'Reenviar', exact: true }).click();
  await expect(page.getByText(/^Tarefa reenviada para a fila Processamento de imagens/)).toBeVisible();

  await rowOf(toResolve).getByRole('button', { name: `Resolver ${toResolve}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Resolver tarefa com erro' });
  await dialog.getByLabel('Nota').fill('Sem organização: nada a reenviar');
  await dialog.getByRole('button', { name: 'Resolver', exact: true }).click();
  await expect(page.getByText(`Tarefa ${toResolve} marcada como resolvida.`)).toBeVisible();
  await expect(rowOf(toResolve)).toHaveCount(0);
  await page.getByLabel('Resolvidos').check();
  await expect(rowOf(toResolve)).toContainText(`Resolvido por ${operator.name}`);

  // The org's admin: neither letter, and no way to Bull Board.
  await page.context().clearCookies();
  await loginAs('admin', '/admin/dead-letters');
  await expect(page.getByRole('heading', { level: 1, name: 'Tarefas com erro' })).toBeVisible();
  await expect(page.getByText('Nenhuma tarefa com erro esperando uma ação. Tudo certo!')).toBeVisible();
  await expect(page.getByText(toRetry)).toHaveCount(0);
  expect((await page.request.get('/admin/queues')).status()).toBe(403);
});

test('shows the process figures, and signs out to the login page', async ({ page }) => {
  await loginAsOperator(page, operator, '/operator/system');
  await expect(page.getByRole('heading', { level: 1, name: 'Processo' })).toBeVisible();
  await expect(figure(page.getByRole('region', { name: 'Cache', exact: true }), 'Armazenamento')).toHaveText('Redis');
  await expect(figure(page.getByRole('region', { name: 'Processo' }), 'Memória (RSS)')).toHaveText(/^\d[\d.]* MB$/);
  // The whole cluster's hour: calls counted (the operator's), this server and its in-process workers beating.
  await expect(figure(page.getByRole('region', { name: 'Última hora, todas as instâncias' }), 'Chamadas')).toHaveText(/^[1-9][\d.]*$/);
  const instances = page.getByRole('table', { name: 'Instâncias' });
  await expect(instances.getByRole('row').filter({ hasText: 'Servidor' })).toContainText('Ativa');
  await expect(instances.getByRole('row').filter({ hasText: 'Workers' })).toContainText('Ativa');

  await page.getByRole('button', { name: 'Sair' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/operator');
  await expect(page).toHaveURL(/\/login\?next=%2Foperator/);
});

test('an org admin opening /operator sees "Acesso negado" and no platform data', async ({ page, loginAs }) => {
  const operatorCalls: string[] = [];
  page.on('response', (response) => {
    if (response.url().includes('/api/trpc/operator.') && response.status() === 200) operatorCalls.push(response.url());
  });
  await loginAs('admin');
  await page.goto('/operator');
  await expect(page.getByRole('heading', { level: 1, name: 'Acesso negado' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Abrir o Bull Board' })).toHaveCount(0);
  expect(operatorCalls).toEqual([]);
});
