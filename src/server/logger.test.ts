import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices, TEST_PASSWORD, type OrgFixture } from '../../tests/helpers/harness';
import { hashPassword } from './auth/password';
import { createLogger } from './logger';
import type { Services } from './services';

/** Every line a logger writes, kept for grepping. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), text: () => lines.join('') };
}

describe('the log never holds a secret', () => {
  let services: Services;
  let close: () => Promise<void>;
  let org: OrgFixture;
  const log = capture();

  beforeAll(async () => {
    ({ services, close } = await createTestServices({ LOG_LEVEL: 'debug' }, { logger: log.logger }));
    org = await createOrgFixture(services, 'logs');
  });
  afterAll(() => close());

  it('a failed statement is logged with its text and error, never the values bound to it', async () => {
    const hash = await hashPassword('uma senha secreta');
    const failure = await services.db.execute(sql`select ${hash}::uuid`).catch((error: unknown) => error);
    log.logger.error({ err: failure }, 'statement failed');
    expect(log.text()).toContain('invalid input syntax for type uuid');
    expect(log.text()).not.toContain(hash);
  });

  it('signing in, creating users and tokens, and failing calls leave no password, hash, token or session secret in a whole debug log', async () => {
    const anonymous = await callerFor(services, { ip: '10.9.0.1' });
    await anonymous.auth.login({ email: `clerk@logs.test`, password: TEST_PASSWORD });
    await anonymous.auth.login({ email: `clerk@logs.test`, password: 'a wrong password' }).catch(() => null);
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    const created = await admin.admin.users.create({ email: 'nova@logs.test', name: 'Nova', role: 'clerk', password: 'senha-da-nova-1', storeIds: [] });
    await admin.admin.users.create({ email: 'nova@logs.test', name: 'De novo', role: 'clerk', password: 'senha-da-nova-2', storeIds: [] }).catch(() => null);
    const token = await admin.admin.tokens.create({ name: 'script' });
    await (await callerFor(services, { bearer: token.token })).auth.me();
    await (await callerFor(services, { bearer: `${token.token}x` })).auth.me().catch(() => null);
    const [row] = await services.db.execute<{ password_hash: string }>(sql`select password_hash from users where id = ${created.id}`);

    const text = log.text();
    expect(text.length).toBeGreaterThan(1000); // it did log the calls
    for (const secret of [TEST_PASSWORD, 'a wrong password', 'senha-da-nova-1', 'senha-da-nova-2', row!.password_hash, token.token, org.secrets.admin, org.secrets.clerk]) {
      expect(text).not.toContain(secret);
    }
  });
});
