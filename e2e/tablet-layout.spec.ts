import type { Page } from '@playwright/test';
import { trpcMutation, trpcQuery } from './fixtures/api';
import { expect, test, type DemoRole } from './fixtures/auth';
import { openSession } from './fixtures/inventory';
import { offUnknownEan } from './fixtures/photos';

/**
 * The two tablets of the store trial, portrait and landscape. Every main page of every role is measured on both:
 * touch targets of at least 44 × 44 CSS px (WCAG 2.5.5), nothing wider than the screen or cut off by an
 * `overflow: hidden` box, and no two badges drawn over each other. Runs in the tablet project only (it sets its
 * own viewports).
 */
const tablets = [
  { name: 'retrato 800×1280', width: 800, height: 1280 },
  { name: 'paisagem 1280×800', width: 1280, height: 800 },
] as const;

const MIN_TARGET = 44;

const pagesOf: Record<DemoRole, string[]> = {
  clerk: ['/', '/purchase-requests', '/purchase-requests/new', '/inventory', '/compliance', '/dashboard', '/catalogue', '/conta'],
  buyer: ['/', '/approvals', '/stock', '/catalogue', '/photos'],
  manager: ['/', '/purchase-requests', '/inventory', '/stock', '/compliance', '/compliance/review', '/compliance/templates', '/dashboard', '/catalogue'],
  admin: ['/admin/users', '/admin/stores', '/admin/tokens', '/admin/audit', '/admin/system', '/admin/operations', '/admin/dead-letters', '/admin/events'],
};

type Finding = string;

/**
 * What a person could not tap or read on this page, as one line each. Runs in the page: every visible button, link,
 * form control and ARIA control; a checkbox or radio is measured by its label when it sits in one (the label is
 * what takes the tap). Links inside a sentence are exempt, as WCAG exempts them.
 */
async function layoutFindings(page: Page, minTarget: number): Promise<Finding[]> {
  return page.evaluate((min) => {
    const findings: string[] = [];
    const describe = (el: Element) => {
      const text = (el.getAttribute('aria-label') || (el as HTMLElement).innerText || el.getAttribute('name') || el.getAttribute('placeholder') || '').trim().replace(/\s+/g, ' ');
      return `<${el.tagName.toLowerCase()}${el.getAttribute('type') ? ` type=${el.getAttribute('type')}` : ''}> "${text.slice(0, 40)}"`;
    };
    const visible = (el: Element) => {
      // Not rendered: display none, visibility hidden, inside a closed <details> or a content-visibility box.
      if (!el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: false })) return false;
      const box = el.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) return false;
      // Visually hidden (the skip link until focused, .sr-only): clipped or off the page.
      if (box.bottom < 0 || box.right < 0) return false;
      for (let node: Element | null = el; node; node = node.parentElement) {
        const s = getComputedStyle(node);
        if (s.clip === 'rect(0px, 0px, 0px, 0px)' || s.clipPath === 'inset(50%)') return false;
      }
      return true;
    };
    const inSentence = (a: Element) => {
      const parent = a.parentElement;
      if (!parent) return false;
      const own = (a.textContent ?? '').trim();
      const around = (parent.textContent ?? '').trim();
      return getComputedStyle(a).display === 'inline' && around.length > own.length + 3;
    };

    const controls = document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=checkbox], [role=tab], [role=link], [role=switch]',
    );
    for (const el of controls) {
      if (!visible(el)) continue;
      if (el.tagName === 'A' && inSentence(el)) continue;
      // A checkbox or radio takes the tap on itself and on its labels: its target is the box around them all.
      let box = el.getBoundingClientRect();
      const type = el.getAttribute('type');
      if (el instanceof HTMLInputElement && (type === 'checkbox' || type === 'radio')) {
        for (const label of el.labels ?? []) {
          const l = label.getBoundingClientRect();
          const left = Math.min(box.left, l.left);
          const top = Math.min(box.top, l.top);
          box = new DOMRect(left, top, Math.max(box.right, l.right) - left, Math.max(box.bottom, l.bottom) - top);
        }
      }
      if (box.width + 0.5 < min || box.height + 0.5 < min) findings.push(`small target ${Math.round(box.width)}×${Math.round(box.height)}: ${describe(el)}`);
    }

    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollWidth > window.innerWidth + 1) findings.push(`page scrolls sideways: ${root.scrollWidth} px wide on a ${window.innerWidth} px screen`);
    for (const el of document.querySelectorAll('body *')) {
      if (!visible(el)) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (box.right > window.innerWidth + 1 && style.position !== 'fixed') {
        // Reported once, at the outermost element that sticks out.
        const parentBox = el.parentElement?.getBoundingClientRect();
        if (!parentBox || parentBox.right <= window.innerWidth + 1) findings.push(`wider than the screen (right edge ${Math.round(box.right)}): ${describe(el)}`);
      }
      const clips = style.overflowX === 'hidden' || style.overflowX === 'clip';
      if (clips && style.textOverflow !== 'ellipsis' && el.scrollWidth > el.clientWidth + 1 && !el.classList.contains('sr-only')) {
        findings.push(`content cut off (${el.scrollWidth} px in ${el.clientWidth} px): ${describe(el)}`);
      }
    }

    const badges = [...document.querySelectorAll('.badge')].filter(visible).map((el) => ({ el, box: el.getBoundingClientRect() }));
    for (let i = 0; i < badges.length; i++) {
      for (let j = i + 1; j < badges.length; j++) {
        const a = badges[i]!.box;
        const b = badges[j]!.box;
        const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
        if (overlap) findings.push(`badges overlap: ${describe(badges[i]!.el)} and ${describe(badges[j]!.el)}`);
      }
    }
    return [...new Set(findings)];
  }, minTarget);
}

async function settle(page: Page) {
  await page.waitForLoadState('networkidle');
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
}

/** Turns the tablet: the page lays itself out again for the new size (no reload: the measurements are per layout). */
async function turnTo(page: Page, tablet: { width: number; height: number }) {
  await page.setViewportSize({ width: tablet.width, height: tablet.height });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

test.describe('tablets, portrait and landscape', () => {
  test.use({ hasTouch: true });

  for (const role of Object.keys(pagesOf) as DemoRole[]) {
    test(`the ${role}'s pages: targets ≥ ${MIN_TARGET} px, nothing clipped, no overlapping badges`, async ({ page, loginAs }) => {
      await page.setViewportSize({ width: tablets[0].width, height: tablets[0].height });
      await loginAs(role);
      const report: string[] = [];
      for (const path of pagesOf[role]) {
        await page.goto(path);
        await settle(page);
        for (const tablet of tablets) {
          await turnTo(page, tablet);
          for (const finding of await layoutFindings(page, MIN_TARGET)) report.push(`${tablet.name} ${path}: ${finding}`);
        }
        await turnTo(page, tablets[0]);
      }
      expect(report).toEqual([]);
    });
  }
});

/** The tallest forms: in landscape they are taller than the screen. */
const tallDialogs: { role: DemoRole; path: string; open: string; dialog: string; submit: string }[] = [
  { role: 'admin', path: '/admin/users', open: 'Novo usuário', dialog: 'Novo usuário', submit: 'Criar usuário' },
  { role: 'admin', path: '/catalogue', open: 'Novo produto', dialog: 'Novo produto', submit: 'Criar produto' },
];

test.describe('tablets, portrait and landscape', () => {
  test.use({ hasTouch: true });

  test('a dialog taller than the screen scrolls inside, with its buttons always in view', async ({ page, loginAs }) => {
    await loginAs('admin', '/admin/users');
    // Landscape with the on-screen keyboard up leaves about 500 px: there every form is taller than the screen.
    const sizes = [...tablets, { name: 'paisagem com teclado 1280×500', width: 1280, height: 500 }] as const;
    const scrolledInLandscape: string[] = [];
    for (const d of tallDialogs) {
      await page.goto(d.path);
      await page.getByRole('button', { name: d.open, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: d.dialog });
      await expect(dialog).toBeVisible();
      for (const tablet of sizes) {
        await turnTo(page, tablet);
        const inView = async () => {
          const box = (await dialog.getByRole('button', { name: d.submit }).boundingBox())!;
          return box.y >= 0 && box.y + box.height <= tablet.height;
        };
        // At the top, and scrolled to the bottom of the form: the buttons are on the screen both times.
        await dialog.evaluate((el) => el.scrollTo(0, 0));
        expect(await inView(), `${tablet.name} ${d.dialog}: buttons at the top`).toBe(true);
        await dialog.evaluate((el) => el.scrollTo(0, el.scrollHeight));
        expect(await inView(), `${tablet.name} ${d.dialog}: buttons at the bottom`).toBe(true);
        const fits = await dialog.evaluate((el) => el.getBoundingClientRect().bottom <= window.innerHeight && el.getBoundingClientRect().top >= 0);
        expect(fits, `${tablet.name} ${d.dialog} fits the screen`).toBe(true);
        if (tablet.height < tablet.width && (await dialog.evaluate((el) => el.scrollHeight > el.clientHeight))) scrolledInLandscape.push(d.dialog);
      }
      await page.keyboard.press('Escape');
    }
    // The case the sticky buttons are for was met: forms taller than the screen.
    expect(scrolledInLandscape, 'dialogs taller than the landscape screen').toEqual(tallDialogs.map((d) => d.dialog));
  });
});

test.describe('tablet retrato 800×1280', () => {
  test.use({ viewport: { width: 800, height: 1280 }, hasTouch: true });

  test('the catalogue in portrait is a dense list with pictures, not one card per screen', async ({ page, loginAs }, testInfo) => {
    await loginAs('manager', '/catalogue');
    const rows = page.getByRole('table', { name: 'Produtos' }).getByRole('rowgroup').last().getByRole('row');
    await expect(rows.first()).toBeVisible();
    const heights = await rows.evaluateAll((trs) => trs.slice(0, 10).map((tr) => tr.getBoundingClientRect().height));
    expect(heights.length).toBe(10);
    // Name and price, EAN and status, category and buyer, the row's buttons: about 150 px, where a card was 260.
    for (const height of heights) expect(height).toBeLessThanOrEqual(160);
    // Each row starts with its picture (or its initials when there is none).
    await expect(rows.first().getByRole('cell').nth(1).locator('img, span')).toHaveCount(1);
    const shot = testInfo.outputPath('catalogue-portrait.png');
    await page.screenshot({ path: shot });
    await testInfo.attach('catalogue-portrait', { path: shot, contentType: 'image/png' });
  });
});

/** Screens that show a product's photo (or initials) beside its name, in the states a list of them is seen in. */
test.describe('tablets, portrait and landscape', () => {
  test.use({ hasTouch: true });

  test('product photos beside names: request lines and detail, the counting scan, the Open Food Facts button', async ({ page, loginAs }, testInfo) => {
    test.setTimeout(90_000);
    const sizes = [{ name: 'retrato 768×1024', width: 768, height: 1024 }, ...tablets] as const;
    const report: string[] = [];
    const measure = async (what: string) => {
      for (const tablet of sizes) {
        await turnTo(page, tablet);
        for (const finding of await layoutFindings(page, MIN_TARGET)) report.push(`${tablet.name} ${what}: ${finding}`);
        await testInfo.attach(`${what} ${tablet.name}`, { body: await page.screenshot(), contentType: 'image/png' });
      }
      await turnTo(page, sizes[0]);
    };
    const scanCode = async (code: string) => {
      await page.keyboard.type(code);
      await page.keyboard.press('Enter');
    };

    await page.setViewportSize({ width: sizes[0].width, height: sizes[0].height });
    await loginAs('admin', '/purchase-requests/new');
    const known = await trpcQuery<{ items: { ean: string; name: string }[] }>(page.request, 'products.list', { search: '789', limit: 2 });
    await page.getByRole('combobox', { name: 'Loja' }).selectOption({ label: 'Loja Centro' });
    await page.getByLabel('Código de barras (EAN)').focus();
    for (const p of known.items) {
      await scanCode(p.ean);
      await expect(page.getByRole('textbox', { name: `Quantidade de ${p.name}` })).toHaveValue('1');
    }
    await scanCode(offUnknownEan);
    await expect(page.getByRole('button', { name: 'Cadastrar pelo Open Food Facts' })).toBeVisible();
    await measure('/purchase-requests/new');

    await page.getByRole('button', { name: 'Salvar rascunho' }).click();
    await expect(page).toHaveURL(/\/purchase-requests\/[0-9a-f-]{36}/);
    await expect(page.getByRole('table', { name: /Itens da solicitação/ }).getByRole('row')).toHaveCount(3);
    await measure('/purchase-requests/[id]');

    const me = await trpcQuery<{ user: { id: string }; stores: { id: string; name: string }[] }>(page.request, 'auth.me');
    const bairro = me.stores.find((s) => s.name === 'Loja Bairro')!;
    const session = await openSession(page.request, { storeId: bairro.id, assignments: [{ userId: me.user.id }] });
    await page.goto(`/inventory/${session.id}/count`);
    await expect(page.getByLabel('Código de barras')).toBeEnabled();
    await expect(page.getByText(/produtos no tablet: [1-9]/)).toBeVisible();
    await scanCode(known.items[0]!.ean);
    await scanCode(offUnknownEan);
    await expect(page.getByTestId('scan-register').getByRole('button', { name: 'Cadastrar pelo Open Food Facts' })).toBeVisible();
    await expect(page.getByTestId('running-counts').getByRole('button', { name: 'Cadastrar pelo Open Food Facts' })).toBeVisible();
    await measure('/inventory/[id]/count unknown');
    await scanCode(known.items[0]!.ean);
    await expect(page.getByTestId('scan-feedback')).toContainText(known.items[0]!.name);
    await measure('/inventory/[id]/count known');
    await trpcMutation(page.request, 'inventory.cancel', { sessionId: session.id, reason: 'e2e cleanup' });

    expect(report).toEqual([]);
  });
});
