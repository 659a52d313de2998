import { expect, test } from '@playwright/test';
import { DEMO_PASSWORD, demoUsers } from './fixtures/auth';
import { createOperatorWithCli } from './fixtures/operator';

/** The browser-facing defences: every page under a nonce-based CSP it actually obeys, and the headers around it. */
test('pages carry a nonce CSP their own scripts satisfy, and a script without the nonce does not run', async ({ page }) => {
  const response = await page.goto('/login');
  const headers = response!.headers();
  const csp = headers['content-security-policy']!;
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).toContain("frame-ancestors 'none'");
  expect(headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' });
  expect(headers['permissions-policy']).toContain('camera=(self)');
  expect(headers['strict-transport-security']).toBeUndefined(); // plain HTTP here: HSTS only over TLS

  // Next marked every script of the page with this response's nonce, and the page works (the form answers).
  const scripts = await page.locator('script').evaluateAll((elements) => elements.map((s) => (s as HTMLScriptElement).nonce));
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.every((n) => n === nonce)).toBe(true);
  await expect(page.getByRole('button', { name: 'Entrar' })).toBeEnabled();

  // Markup injected into the page (what an XSS does) cannot run script: its handler is refused and reported.
  const violations: string[] = [];
  page.on('console', (m) => violations.push(m.text()));
  await page.evaluate(() => {
    const box = document.createElement('div');
    box.innerHTML = '<img src="/nao-existe.png" onerror="window.__injected = true">';
    document.body.append(box);
  });
  await expect.poll(() => violations.some((v) => /Content Security Policy/i.test(v))).toBe(true);
  expect(await page.evaluate(() => (window as { __injected?: boolean }).__injected === true)).toBe(false);
});

test('API answers are never cached or framed; Bull Board has a policy of its own and works under it', async ({ page }) => {
  const login = await page.request.post('/api/trpc/auth.login', { data: { json: { email: demoUsers.admin.email, password: DEMO_PASSWORD } } });
  expect(login.headers()['cache-control']).toBe('no-store');
  expect(login.headers()['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  const violations: string[] = [];
  page.on('console', (m) => (/Content Security Policy/i.test(m.text()) ? violations.push(m.text()) : undefined));
  // Bull Board is the platform operator's.
  const operator = createOperatorWithCli();
  expect((await page.request.post('/api/trpc/auth.login', { data: { json: { email: operator.email, password: operator.password } } })).status()).toBe(200);
  const board = await page.goto('/admin/queues');
  expect(board!.status()).toBe(200);
  expect(board!.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.getByText('domain-events').first()).toBeVisible();
  expect(violations).toEqual([]);
});
