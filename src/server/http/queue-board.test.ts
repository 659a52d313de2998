import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorFixture, createOrgFixture, createTestServices, type OperatorFixture, type OrgFixture } from '../../../tests/helpers/harness';
import { SESSION_COOKIE } from '../auth/secrets';
import type { Services } from '../services';
import { createAppServer } from './server';

for (const backend of ['redis', 'postgres'] as const) {
  describe(`queue monitor (${backend} backend)`, () => {
    let services: Services;
    let close: () => Promise<void>;
    let org: OrgFixture;
    let operator: OperatorFixture;
    let app: ReturnType<typeof createAppServer>;
    let url: string;

    beforeAll(async () => {
      ({ services, close } = await createTestServices(backend === 'postgres' ? { REDIS_URL: '' } : {}));
      org = await createOrgFixture(services, `board-${backend}`);
      operator = await createOperatorFixture(services, `board-${backend}`);
      app = createAppServer({ services });
      url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}/admin/queues`;
    });
    afterAll(async () => {
      await app.shutdown(1000);
      await close();
    });
    const as = (role: keyof OrgFixture['secrets']) => ({ cookie: `${SESSION_COOKIE}=${org.secrets[role]}` });
    const asOperator = () => ({ cookie: `${SESSION_COOKIE}=${operator.secret}` });

    it('is served to the platform operator, with every queue that has work here (push is off: no FCM project)', async () => {
      const page = await fetch(url, { headers: asOperator() });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
      const api = await fetch(`${url}/api/queues?activeQueue=domain-events&page=1`, { headers: asOperator() });
      expect(api.status).toBe(200);
      const body = (await api.json()) as { queues: { name: string }[] };
      expect(body.queues.map((q) => q.name).sort()).toEqual(['compliance-checks', 'domain-events', 'image-processing']);
    });

    it('loads nothing from another origin (a store LAN has no internet), speaks Portuguese and links back to the app', async () => {
      const html = await (await fetch(url, { headers: asOperator() })).text();
      expect(html).not.toMatch(/(href|src)="https?:\/\//);
      expect(html).toContain('<link href="static/css/');
      const config = JSON.parse(/<script id="__UI_CONFIG__" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as Record<string, unknown>;
      expect(config).toMatchObject({ locale: { lng: 'pt-BR' }, hideDocsLink: true, miscLinks: [{ text: 'Voltar ao MyInventory', url: '/operator' }] });
    });

    it('is read-only: jobs are retried from the dead-letter page, never removed or retried behind its back', async () => {
      const retryAll = await fetch(`${url}/api/queues/domain-events/retry/failed`, { method: 'PUT', headers: asOperator() });
      expect(retryAll.status).toBe(405);
    });

    it("is refused to an org's admin: the queues hold every org's jobs", async () => {
      const page = await fetch(url, { headers: as('admin') });
      expect(page.status).toBe(403);
      expect(await page.text()).not.toContain('<html');
      const api = await fetch(`${url}/api/queues?activeQueue=domain-events&page=1`, { headers: as('admin') });
      expect(api.status).toBe(403);
      expect(await api.text()).not.toContain(org.org.id);
    });

    it('is refused to every other role and sends the signed-out to the login page', async () => {
      expect((await fetch(url, { headers: as('manager') })).status).toBe(403);
      expect((await fetch(`${url}/api/queues`, { headers: as('clerk') })).status).toBe(403);
      const anonymous = await fetch(url, { redirect: 'manual' });
      expect(anonymous.status).toBe(302);
      expect(anonymous.headers.get('location')).toContain('/login');
    });
  });
}

describe('queue monitor with push configured', () => {
  it('lists the push queue too', async () => {
    const { services, close } = await createTestServices({ FCM_PROJECT_ID: 'board-push-project' });
    const operator = await createOperatorFixture(services, 'board-push');
    const app = createAppServer({ services });
    try {
      const base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}/admin/queues`;
      const api = await fetch(`${base}/api/queues?activeQueue=domain-events&page=1`, { headers: { cookie: `${SESSION_COOKIE}=${operator.secret}` } });
      const body = (await api.json()) as { queues: { name: string }[] };
      expect(body.queues.map((q) => q.name).sort()).toEqual(['compliance-checks', 'domain-events', 'fcm-notifications', 'image-processing']);
    } finally {
      await app.shutdown(1000);
      await close();
    }
  });
});
