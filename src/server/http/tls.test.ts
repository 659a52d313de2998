import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgFixture, createTestServices, TEST_PASSWORD } from '../../../tests/helpers/harness';
import { parseEnv } from '~/env';
import { createLogger } from '../logger';
import type { Services } from '../services';
import { createAppServer } from './server';
import { loadTls } from './tls';

let services: Services;
let close: () => Promise<void>;
let app: ReturnType<typeof createAppServer>;
let url: string;
let dataDir: string;
const insecure = new Agent({ connect: { rejectUnauthorized: false } });

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  await createOrgFixture(services, 'tls');
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'mi-tls-'));
  const tls = await loadTls(parseEnv({ HTTPS_SELF_SIGNED: 'true', DATA_DIR: dataDir }), createLogger({ level: 'silent' }));
  app = createAppServer({ services, tls });
  url = `https://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await app.shutdown(1000);
  await close();
});

describe('HTTPS for tablets on the LAN', () => {
  it('serves over TLS with a certificate generated on first start and kept for the next', async () => {
    const res = await undiciFetch(`${url}/api/health/live`, { dispatcher: insecure });
    expect(res.status).toBe(200);
    const cert = await readFile(path.join(dataDir, 'tls', 'cert.pem'), 'utf8');
    expect(cert).toContain('BEGIN CERTIFICATE');
    const again = await loadTls(parseEnv({ HTTPS_SELF_SIGNED: 'true', DATA_DIR: dataDir }), createLogger({ level: 'silent' }));
    expect(String(again!.cert)).toBe(cert);
  });

  it('marks the session cookie Secure over HTTPS', async () => {
    const res = await undiciFetch(`${url}/api/trpc/auth.login`, {
      method: 'POST',
      dispatcher: insecure,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { email: 'clerk@tls.test', password: TEST_PASSWORD } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax; Expires=.*; Secure/);
  });
});
