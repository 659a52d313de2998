import { DEMO_ORG_NAME, DEMO_PASSWORD, demoUsers, expect, loginWithForm, test } from './fixtures/auth';

const admin = demoUsers.admin;

test.describe('login', () => {
  test('signs in and greets the user by name on the home page', async ({ page }) => {
    await page.goto('/login');
    await expect(page).toHaveTitle(/MyInventory/);
    await loginWithForm(page, admin.email, DEMO_PASSWORD);

    await expect(page).toHaveURL('/');
    await expect(page.getByRole('heading', { level: 1, name: `Olá, ${admin.name}` })).toBeVisible();
    const header = page.getByRole('banner');
    await expect(header.getByText(admin.name)).toBeVisible();
    await expect(header.getByText(`${admin.roleLabel} · ${DEMO_ORG_NAME}`)).toBeVisible();
  });

  test('shows "E-mail ou senha incorretos" for a wrong password and stays on the login page', async ({ page }) => {
    await page.goto('/login');
    await loginWithForm(page, admin.email, 'not-the-password');

    await expect(page.getByRole('main').getByRole('alert')).toHaveText('E-mail ou senha incorretos');
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('button', { name: 'Entrar' })).toBeEnabled();
    await expect(page.getByLabel('E-mail', { exact: true })).toHaveValue(admin.email);
  });

  test('asks for the missing fields without calling the server', async ({ page }) => {
    let calls = 0;
    page.on('request', (request) => {
      if (request.url().includes('/api/trpc/')) calls++;
    });
    await page.goto('/login');
    await page.getByRole('button', { name: 'Entrar' }).click();

    await expect(page.getByText('Informe seu e-mail')).toBeVisible();
    await expect(page.getByText('Informe sua senha')).toBeVisible();
    await expect(page.getByLabel('E-mail', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    expect(calls).toBe(0);
  });

  test('disables the button while the login is in flight', async ({ page }) => {
    await page.route('**/api/trpc/auth.login**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await route.continue();
    });
    await page.goto('/login');
    await loginWithForm(page, admin.email, DEMO_PASSWORD);

    await expect(page.getByRole('button', { name: 'Entrando…' })).toBeDisabled();
    await expect(page).toHaveURL('/');
  });

  test('says there is no connection when the server cannot be reached', async ({ page }) => {
    await page.route('**/api/trpc/auth.login**', (route) => route.abort('internetdisconnected'));
    await page.goto('/login');
    await loginWithForm(page, admin.email, DEMO_PASSWORD);

    await expect(page.getByRole('main').getByRole('alert')).toContainText('Sem conexão');
    await expect(page.getByRole('button', { name: 'Entrar' })).toBeEnabled();
  });

  test('tells how long to wait when the server answers 429', async ({ page }) => {
    // The body the server sends when the login limiter trips (src/server/api/middleware/ratelimit.ts).
    await page.route('**/api/trpc/auth.login**', (route) =>
      route.fulfill({
        status: 429,
        contentType: 'application/json',
        headers: { 'retry-after': '42' },
        body: JSON.stringify([
          {
            error: {
              json: {
                message: 'Too many requests; try again in 42 s',
                code: -32029,
                data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, path: 'auth.login', reason: 'rate_limited', zodError: null, issues: null, details: { retryAfterSeconds: 42 } },
              },
            },
          },
        ]),
      }),
    );
    await page.goto('/login');
    await loginWithForm(page, admin.email, DEMO_PASSWORD);

    await expect(page.getByRole('main').getByRole('alert')).toHaveText('Muitas tentativas. Tente novamente em 42 s');
  });

  test('signs in with the keyboard only (Tab and Enter)', async ({ page }) => {
    await page.goto('/login');
    const email = page.getByLabel('E-mail', { exact: true });
    const password = page.getByLabel('Senha', { exact: true });
    // The form renders on the client (it reads ?next=); a person waits until they see it, and so do we.
    await expect(email).toBeEditable();

    await page.keyboard.press('Tab');
    await expect(email).toBeFocused();
    await page.keyboard.type(admin.email);
    await page.keyboard.press('Tab');
    await expect(password).toBeFocused();
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Entrar' })).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');

    await expect(page.getByRole('heading', { level: 1, name: `Olá, ${admin.name}` })).toBeVisible();
  });

  test('returns to the page that asked for the login', async ({ page }) => {
    await page.goto('/admin/users');
    await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Fusers$/);
    await loginWithForm(page, admin.email, DEMO_PASSWORD);

    await expect(page).toHaveURL('/admin/users');
    await expect(page.getByRole('heading', { level: 1, name: 'Usuários' })).toBeVisible();
  });

  test('what was typed before the page finished loading is what signs in (a slow tablet)', async ({ page }) => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/_next/static/chunks/**', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto('/login?next=%2Fadmin%2Fusers', { waitUntil: 'commit' });
    await page.getByLabel('E-mail', { exact: true }).fill(admin.email);
    await page.getByLabel('Senha', { exact: true }).fill(DEMO_PASSWORD);
    release();
    // Hydrated: React has attached itself to the form.
    await page.waitForFunction(() => Object.keys(document.querySelector('form') ?? {}).some((key) => key.startsWith('__reactFiber')));
    await page.getByRole('button', { name: 'Entrar' }).click();
    await expect(page).toHaveURL('/admin/users');
  });

  test('ignores a "next" that points to another site', async ({ page }) => {
    await page.goto('/login?next=//evil.example/phish');
    await loginWithForm(page, admin.email, DEMO_PASSWORD);

    await expect(page).toHaveURL('/');
  });
});

test.describe('logout', () => {
  test('"Sair" returns to /login and protected pages then redirect to the login', async ({ page, loginAs }) => {
    await loginAs('admin');
    await page.getByRole('button', { name: 'Sair' }).click();

    await expect(page).toHaveURL(/\/login$/);
    await page.goto('/');
    await expect(page).toHaveURL(/\/login\?next=%2F$/);
    await page.goto('/admin/tokens');
    await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Ftokens$/);
    await expect(page.getByRole('heading', { name: 'Entrar' })).toBeVisible();
  });
});
