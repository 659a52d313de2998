import type { Locator, Page } from '@playwright/test';
import { withCheckDigit } from '../src/lib/ean';
import { trpcMutation, uniqueTag } from './fixtures/api';
import { DEMO_PASSWORD, demoUsers, expect, test } from './fixtures/auth';

const adminSections = (page: Page) => page.getByRole('navigation', { name: 'Seções da administração' });

/** A fresh valid EAN-13 per call ("200" prefix: in-store codes, never a real product's). */
function freshEan(): string {
  return withCheckDigit(`200${String(Date.now()).slice(-7)}${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`);
}

/** The value shown next to a label in a `<dl>` of figures. */
const figure = (scope: Locator, label: string) =>
  scope.locator('dl > div').filter({ has: scope.page().getByText(label, { exact: true }) }).locator('dd');

test("the queues page shows the org's own work in every queue and its outbox lag; Bull Board is not the org admin's", async ({ page, loginAs }) => {
  await loginAs('admin', '/admin/users');
  await adminSections(page).getByRole('link', { name: 'Filas', exact: true }).click();
  await expect(page).toHaveURL('/admin/operations');
  await expect(page.getByRole('heading', { level: 1, name: 'Filas' })).toBeVisible();

  // Push is off in this server (no FCM project): its queue says so, calmly, instead of showing idle figures.
  const push = page.getByRole('region', { name: 'Notificações push fcm-notifications' });
  await expect(push.getByRole('status').filter({ hasText: 'Desligada' })).toContainText('notificações push estão desligadas nesta instalação');
  await expect(push.getByRole('alert')).toHaveCount(0);
  await expect(push.getByRole('list')).toHaveCount(0);

  for (const [label, name] of [
    ['Eventos de domínio', 'domain-events'],
    ['Processamento de imagens', 'image-processing'],
    ['Verificação de fotos de conformidade', 'compliance-checks'],
  ]) {
    const section = page.getByRole('region', { name: `${label} ${name}` });
    await expect(section).toBeVisible();
    const counts = section.getByRole('list', { name: `Tarefas da fila ${label}` });
    for (const count of ['Aguardando', 'Concluídos (1 h)', 'Com falha (1 h)', 'Na fila de erros']) await expect(counts.getByText(count, { exact: true })).toBeVisible();
    // BullMQ's own counters count every org's jobs: not shown to an org's admin.
    await expect(counts.getByText('Em execução')).toHaveCount(0);
    await expect(section.getByRole('heading', { name: 'Tarefas e falhas por minuto' })).toBeVisible();
  }

  const outbox = page.getByRole('region', { name: 'Eventos pendentes outbox' });
  await expect(figure(outbox, 'Eventos esperando')).toHaveText(/^\d+$/);
  await expect(figure(outbox, 'Espera do mais antigo')).toBeVisible();

  // Bull Board shows every org's jobs: the platform operator's, refused to an org's admin.
  await expect(page.getByRole('link', { name: 'Abrir o Bull Board' })).toHaveCount(0);
  expect((await page.request.get('/admin/queues')).status()).toBe(403);
});

test('the system page says whether the services work and how fast they answer, with no count of the shared process', async ({ page, loginAs }) => {
  await loginAs('admin', '/admin/users');
  await expect(page.getByRole('table')).toBeVisible();
  await adminSections(page).getByRole('link', { name: 'Sistema', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sistema' })).toBeVisible();

  const services = page.getByRole('region', { name: 'Serviços' });
  await expect(figure(services, 'Cache')).toHaveText('Disponível');
  await expect(figure(services, 'Atualização ao vivo')).toHaveText('Redis pub/sub');
  // The e2e server's services (photo storage, Open Food Facts and OpenAI stand-ins; push off), each working.
  const external = page.getByRole('region', { name: 'Serviços externos' });
  await expect(figure(external, 'Armazenamento de fotos')).toContainText('Funcionando');
  await expect(figure(external, 'Dados de produtos pelo código de barras')).toContainText('Funcionando');
  await expect(figure(external, 'Análise das fotos de produtos')).toContainText('Funcionando');
  await expect(figure(external, 'Notificações push')).toHaveCount(0);
  await expect(external.getByRole('alert')).toHaveCount(0);
  // What the photo analysis costs the org today, against its budget.
  const photos = page.getByRole('region', { name: 'Fotos dos produtos' });
  await expect(figure(photos, 'Análise automática')).toContainText('Ligada (gpt-4o-mini)');
  await expect(figure(photos, 'Uso hoje')).toContainText('de 500.000 tokens');
  // The service's quality over the last hour, every instance: times and rates, never a count of other orgs' work.
  await expect(figure(page.getByRole('region', { name: 'Problemas agora' }), 'Situação')).toHaveText('Nenhum problema detectado');
  const quality = page.getByRole('region', { name: 'Desempenho na última hora (todas as instâncias)' });
  await expect(figure(quality, 'Tempo de resposta p99')).toHaveText(/^\d[\d.,]* ms$/);
  await expect(figure(quality, 'Taxa de erro')).toHaveText(/%$/);
  await expect(figure(quality, 'Atraso dos eventos')).toHaveText('Em dia');
  await expect(page.getByRole('heading', { name: 'Tempo de resposta por minuto (p50 e p99)' })).toBeVisible();
  // Its operations (those called often enough in the hour to say something), by their p99; no call counts.
  await expect(page.getByRole('region', { name: 'Operações mais lentas (p99, última hora)' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Chamadas' })).toHaveCount(0);
  await expect(page.getByText('Taxa de acerto')).toHaveCount(0);
  await expect(page.getByText('Memória (RSS)')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Processo' })).toHaveCount(0);
});

test('an admin replays a product.created event to one consumer', async ({ page, loginAs }) => {
  // The demo seed writes no events: a buyer creates a product, which records one.
  const login = await page.request.post('/api/trpc/auth.login', { data: { json: { email: demoUsers.buyer.email, password: DEMO_PASSWORD } } });
  expect(login.status(), await login.text()).toBe(200);
  const product = await trpcMutation<{ id: string }>(page.request, 'products.create', { ean: freshEan(), name: `Evento E2E ${uniqueTag()}` });

  await loginAs('admin', '/admin/events');
  await expect(page.getByRole('heading', { level: 1, name: 'Eventos' })).toBeVisible();
  // The images consumer follows up with an image.processed event for the same product; the type picks ours.
  await page.getByLabel('Tipo', { exact: true }).fill('product.created');
  await page.getByLabel('Agregado (id)').fill(product.id);
  await page.getByRole('button', { name: 'Filtrar' }).click();

  const rows = page.getByRole('table', { name: 'Eventos' }).getByRole('rowgroup').last().getByRole('row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('product.created');
  await expect(rows.first()).toContainText(product.id);

  const replay = page.getByRole('button', { name: 'Reenviar para consumidor…' });
  await expect(replay).toBeDisabled();
  await rows.first().getByRole('checkbox').check();
  await expect(page.getByText('1 selecionado', { exact: true })).toBeVisible();
  await replay.click();

  const dialog = page.getByRole('dialog', { name: 'Reenviar eventos' });
  await dialog.getByRole('button', { name: 'Reenviar', exact: true }).click();
  await expect(dialog.getByText('Escolha o consumidor.')).toBeVisible();
  await dialog.getByLabel('Consumidor').selectOption('live-and-cache');
  await dialog.getByRole('button', { name: 'Reenviar', exact: true }).click();

  await expect(figure(dialog, 'Reenviados')).toHaveText('1');
  await expect(figure(dialog, 'Ignorados (não encontrados)')).toHaveText('0');
  await dialog.getByRole('button', { name: 'Concluir' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('0 selecionados', { exact: true })).toBeVisible();
});

test('the dead-letter page says when there is nothing to fix, pending or resolved', async ({ page, loginAs }) => {
  await loginAs('admin', '/admin/dead-letters');
  await expect(page.getByRole('heading', { level: 1, name: 'Tarefas com erro' })).toBeVisible();
  await expect(page.getByText('Nenhuma tarefa com erro esperando uma ação. Tudo certo!')).toBeVisible();

  await page.getByLabel('Fila', { exact: true }).selectOption({ label: 'Processamento de imagens' });
  await expect(page.getByText('Nenhuma tarefa com erro esperando uma ação. Tudo certo!')).toBeVisible();
  await page.getByLabel('Resolvidos').check();
  await expect(page.getByText('Nenhuma tarefa resolvida com esses filtros.')).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
});

test('a clerk opening /admin/operations sees "Acesso negado" and no queue data', async ({ page, loginAs }) => {
  const adminCalls: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/api/trpc/admin.')) adminCalls.push(request.url());
  });
  await loginAs('clerk', '/admin/operations');
  await expect(page.getByRole('heading', { level: 1, name: 'Acesso negado' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Abrir o Bull Board' })).toHaveCount(0);
  expect(adminCalls).toEqual([]);
});
