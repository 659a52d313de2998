import { expect, test } from './fixtures/auth';
import { trpcMutation, trpcQuery, uniqueTag } from './fixtures/api';

type Template = { id: string; title: string; version: number; expectedTexts: string[]; storeIds: string[]; photoCount: number };

test('a manager corrects a template on its screen: only what changed is saved, the tasks already made stay as they were, and an edit over someone else’s is refused', async ({ page, loginAs }) => {
  await loginAs('manager', '/compliance/templates');
  const title = `Oferta da semana ${uniqueTag()}`;
  const form = page.getByRole('form', { name: 'Novo modelo de tarefa' });
  await form.getByLabel('Título').fill(title);
  await form.getByLabel(/Textos que a foto deve mostrar/).fill('R$ 9,99');
  await form.getByLabel('Prazo no dia').fill('23:59');
  await form.getByRole('group', { name: 'Lojas' }).getByRole('checkbox').first().check();
  await form.getByRole('button', { name: 'Criar modelo' }).click();
  await expect(page.getByText('Modelo criado; as tarefas de hoje já estão nas lojas.')).toBeVisible();
  const created = (await trpcQuery<Template[]>(page.request, 'compliance.templates.list')).find((t) => t.title === title)!;

  // The form opens under the line with what the template holds.
  const line = page.getByTestId('compliance-templates').getByRole('listitem').filter({ hasText: title });
  await line.getByRole('button', { name: `Editar ${title}` }).click();
  const edit = page.getByRole('form', { name: `Editar ${title}` });
  await expect(edit.getByLabel('Título')).toHaveValue(title);
  await expect(edit.getByLabel(/Textos que a foto deve mostrar/)).toHaveValue('R$ 9,99');
  await expect(edit.getByLabel('Fotos pedidas')).toHaveValue('1');
  await edit.getByLabel(/Textos que a foto deve mostrar/).fill('R$ 8,49');
  await edit.getByLabel('Fotos pedidas').selectOption('2');
  await edit.getByRole('button', { name: 'Salvar alterações' }).click();
  await expect(edit).toBeHidden();
  await expect(line).toContainText('texto “R$ 8,49”');
  await expect(line).toContainText('2 foto(s)');
  await expect(line.getByText('Modelo salvo. As tarefas já criadas seguem como estavam; as próximas usam o modelo novo.')).toBeVisible();
  const saved = (await trpcQuery<Template[]>(page.request, 'compliance.templates.list')).find((t) => t.id === created.id)!;
  expect(saved).toMatchObject({ title, version: created.version + 1, expectedTexts: ['R$ 8,49'], photoCount: 2, storeIds: created.storeIds });
  // Today's task was made from the template as it was.
  const tasks = await trpcQuery<{ tasks: { title: string; photoCount: number }[] }>(page.request, 'compliance.tasks', {});
  expect(tasks.tasks.filter((t) => t.title === title).map((t) => t.photoCount)).toEqual([1]);

  // Someone else changes it while the form is open: saving is refused, and nothing of this form is written.
  await line.getByRole('button', { name: `Editar ${title}` }).click();
  await edit.getByLabel('Título').fill(`${title} (corrigido)`);
  await trpcMutation(page.request, 'compliance.templates.update', { id: created.id, version: saved.version, dueTime: '22:00' });
  await edit.getByRole('button', { name: 'Salvar alterações' }).click();
  await expect(edit.getByText('O modelo foi alterado por outra pessoa; recarregue a página e faça a alteração de novo.')).toBeVisible();
  const after = (await trpcQuery<Template[]>(page.request, 'compliance.templates.list')).find((t) => t.id === created.id)!;
  expect(after).toMatchObject({ title, version: saved.version + 1 });

  // Leave no daily task behind for the other specs.
  await trpcMutation(page.request, 'compliance.templates.update', { id: created.id, version: after.version, active: false });
});
