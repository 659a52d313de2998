import { expect, test } from './fixtures/auth';

test('admin switches a feature off for the network and for one store, sees it audited, and returns both to the default', async ({ page, loginAs }) => {
  await loginAs('admin', '/admin/flags');
  const scoring = page.getByRole('region', { name: 'Análise automática das fotos de produtos' });
  await expect(scoring).toContainText('Ligado');
  await expect(scoring).toContainText('padrão');

  try {
    await scoring.getByRole('button', { name: 'Desligar para a rede' }).click();
    await expect(page.getByText('Análise automática das fotos de produtos: desligado.')).toBeVisible();
    await expect(scoring).toContainText('Desligado');
    await expect(scoring).toContainText('Toda foto nova vai para a revisão manual.');

    // A store may differ on the compliance check: switched off in one store only.
    const compliance = page.getByRole('region', { name: 'Verificação automática das tarefas de conformidade' });
    await compliance.getByLabel('Loja').selectOption({ label: 'Loja Shopping' });
    await compliance.getByRole('button', { name: 'Desligar nesta loja' }).click();
    await expect(compliance.getByRole('listitem')).toContainText('Loja Shopping: Desligado');
    await expect(compliance).toContainText('Ligado'); // the network's choice is unchanged
    await compliance.getByRole('button', { name: 'Seguir a rede' }).click();
    await expect(compliance).toContainText('Todas as lojas seguem a escolha da rede.');

    // Each change is in the audit log.
    await page.goto('/admin/audit');
    await expect(page.getByRole('row', { name: /Recurso ligado ou desligado/ }).first()).toBeVisible();
  } finally {
    await page.goto('/admin/flags');
    const back = page.getByRole('region', { name: 'Análise automática das fotos de produtos' }).getByRole('button', { name: 'Voltar ao padrão' });
    if (await back.isVisible()) await back.click();
    await expect(page.getByRole('region', { name: 'Análise automática das fotos de produtos' })).toContainText('padrão');
  }
});
