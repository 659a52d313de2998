import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { auditLog, eventLog, loginSessions } from '../db/schema';
import type { Services } from '../services';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'accounts');
});
afterAll(() => close());

const admin = () => callerFor(services, { sessionSecret: org.secrets.admin });
const eventsOf = async (aggregateId: string, type: string) =>
  (await services.db.select().from(eventLog).where(and(eq(eventLog.aggregateId, aggregateId), eq(eventLog.type, type))).orderBy(eventLog.aggregateSeq)).map((e) => e.aggregateSeq);

describe('changes to one user or store at once (a double click)', () => {
  it('both apply, one after the other, each with its event numbered in order', async () => {
    const a = await admin();
    const clerk = org.users.clerk.id;
    const before = (await eventsOf(clerk, 'user.updated')).length;
    const results = await Promise.allSettled([
      a.admin.users.update({ id: clerk, storeIds: [org.stores[0]!.id] }),
      a.admin.users.update({ id: clerk, storeIds: [org.stores[0]!.id, org.stores[1]!.id] }),
      a.admin.users.update({ id: clerk, name: 'Caixa renomeado' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(await eventsOf(clerk, 'user.updated')).toEqual([before + 1, before + 2, before + 3]);

    const store = org.stores[1]!.id;
    const stores = await Promise.allSettled([a.admin.stores.update({ id: store, city: 'Santos' }), a.admin.stores.update({ id: store }), a.admin.stores.update({ id: store, name: 'Loja 2' })]);
    expect(stores.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(await eventsOf(store, 'store.updated')).toEqual([1, 2, 3]);
  });

  it('a code another store holds is a CONFLICT naming it, never another constraint mistaken for it', async () => {
    const a = await admin();
    const error = (await a.admin.stores.update({ id: org.stores[1]!.id, code: org.stores[0]!.code }).then(
      () => null,
      (e: unknown) => e,
    )) as { code: string; cause?: { reason: string; data: unknown } };
    expect([error.code, error.cause?.reason, error.cause?.data]).toEqual(['CONFLICT', 'store_code_taken', { field: 'code', code: org.stores[0]!.code }]);
  });
});

describe('pickers search the org on the server, however large it is', () => {
  it('finds a person by part of the name or e-mail, and a store by part of its name, code or city, past any first page', async () => {
    const a = await admin();
    // More people and stores than a page, all alike but one; the one sorts last by name.
    const tag = `p${Date.now().toString(36)}`;
    for (let i = 0; i < 12; i++) {
      await a.admin.users.create({ email: `${tag}-${i}@picker.test`, name: `Aaa Pessoa ${tag} ${i}`, role: 'clerk', storeIds: [] });
      await a.admin.stores.create({ code: `${tag}-${i}`.slice(0, 20), name: `Aaa Loja ${tag} ${i}`, city: 'Campinas' });
    }
    const zona = await a.admin.stores.create({ code: `Z-${tag}`.slice(0, 20), name: 'Zona Leste', city: 'Guarulhos' });
    await a.admin.users.create({ email: `zeca.${tag}@picker.test`, name: 'Zeca Último', role: 'buyer', storeIds: [zona.id, org.stores[0]!.id] });

    const firstPage = await a.admin.users.list({ limit: 9 });
    expect(firstPage.items.map((u) => u.name)).not.toContain('Zeca Último');
    expect((await a.admin.users.list({ limit: 9, search: 'zeca' })).items.map((u) => u.email)).toEqual([`zeca.${tag}@picker.test`]);
    // Each person comes with their stores named (the screen has no list of every store to look them up in).
    const [zeca] = (await a.admin.users.list({ limit: 9, search: 'zeca' })).items;
    expect(zeca!.stores).toEqual(
      [
        { id: zona.id, code: zona.code, name: 'Zona Leste', active: true },
        { id: org.stores[0]!.id, code: org.stores[0]!.code, name: org.stores[0]!.name, active: true },
      ].sort((x, y) => (x.name < y.name ? -1 : 1)),
    );
    // A renamed store is renamed there at once (the cached list goes with the store's change).
    await a.admin.stores.update({ id: zona.id, name: 'Zona Leste 2' });
    expect((await a.admin.users.list({ limit: 9, search: 'zeca' })).items[0]!.stores.map((s) => s.name)).toContain('Zona Leste 2');
    expect((await a.admin.users.list({ limit: 9, search: `ZECA.${tag.toUpperCase()}@` })).items.map((u) => u.name)).toEqual(['Zeca Último']);
    expect((await a.admin.users.list({ limit: 9, search: tag, role: 'buyer' })).items.map((u) => u.name)).toEqual(['Zeca Último']);
    // A LIKE wildcard typed in the box is a character, not "anything".
    expect((await a.admin.users.list({ limit: 9, search: '%' })).items).toEqual([]);

    expect((await a.admin.stores.list({ limit: 9 })).items.map((s) => s.name)).not.toContain('Zona Leste 2');
    for (const search of ['zona', `z-${tag}`, 'guarulhos']) {
      expect((await a.admin.stores.list({ limit: 9, search })).items.map((s) => s.name)).toEqual(['Zona Leste 2']);
    }
    const many = await a.admin.stores.list({ limit: 9, search: 'campinas' });
    expect([many.items.length, many.nextCursor !== null]).toEqual([9, true]);
  });
});

describe('API tokens', () => {
  it('expire after the default 90 days unless told otherwise (null: never)', async () => {
    const a = await admin();
    const byDefault = await a.admin.tokens.create({ name: 'padrão' });
    expect(Math.round((byDefault.expiresAt!.getTime() - Date.now()) / 86_400_000)).toBe(90);
    expect((await a.admin.tokens.create({ name: 'sem prazo', expiresInDays: null })).expiresAt).toBeNull();
    expect(Math.round(((await a.admin.tokens.create({ name: 'curto', expiresInDays: 7 })).expiresAt!.getTime() - Date.now()) / 86_400_000)).toBe(7);
  });

  it('a create sent again with its id (the answer was lost) leaves one live token: the new secret works, the lost one does not', async () => {
    const a = await admin();
    const id = '0b7a4f52-8c1f-4c84-9e0e-5d7f7c1a2b3c';
    const first = await a.admin.tokens.create({ id, name: 'relatórios', userId: org.users.manager.id });
    expect((await (await callerFor(services, { bearer: first.token })).auth.me()).user.id).toBe(org.users.manager.id); // cached now
    const again = await a.admin.tokens.create({ id, name: 'relatórios', userId: org.users.manager.id });
    expect(again.id).toBe(id);
    expect(again.token).not.toBe(first.token);
    expect((await (await callerFor(services, { bearer: again.token })).auth.me()).user.id).toBe(org.users.manager.id);
    await expect((await callerFor(services, { bearer: first.token })).auth.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await a.admin.tokens.list({ limit: 100 })).items.filter((t) => t.id === id)).toHaveLength(1);
    // The same id for another token is a mistake, not a retry.
    await expect(a.admin.tokens.create({ id, name: 'outro', userId: org.users.manager.id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('die with their user’s deactivation: a reactivation does not bring them back', async () => {
    const a = await admin();
    const token = await a.admin.tokens.create({ name: 'do comprador', userId: org.users.buyer.id });
    await a.admin.users.update({ id: org.users.buyer.id, active: false });
    await a.admin.users.update({ id: org.users.buyer.id, active: true });
    await expect((await callerFor(services, { bearer: token.token })).auth.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await a.admin.tokens.list({ limit: 100, includeRevoked: true })).items.find((t) => t.id === token.id)!.revokedAt).toBeInstanceOf(Date);
  });
});

describe('product images', () => {
  it('take https addresses only: javascript:, data:, file:, plain http and metadata addresses are refused', async () => {
    const buyer = await admin(); // the buyer was deactivated above (admins edit the catalogue too)
    for (const imageUrl of ['javascript:alert(1)', 'data:image/png;base64,AAAA', 'file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/', 'http://example.com/a.png']) {
      await expect(buyer.products.update({ id: org.products[0]!.id, imageUrl }), imageUrl).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect((await buyer.products.update({ id: org.products[0]!.id, imageUrl: 'https://images.example.com/a.png' })).imageUrl).toBe('https://images.example.com/a.png');
  });
});

describe('passwords: temporary codes, choosing one, resets', () => {
  /** Signs in; the answer makes a new request with that session's cookie each time (a caller resolves it once). */
  // Each sign-in from its own address: these tests sign in more often than the per-account limit allows one.
  let host = 0;
  const fromNewAddress = () => callerFor(services, { ip: `10.9.0.${++host}` });
  const signIn = async (email: string, password: string) => {
    const anon = await fromNewAddress();
    await anon.auth.login({ email, password });
    const secret = /^mi_session=([^;]+)/.exec(anon.headers.get('set-cookie') ?? '')?.[1];
    expect(secret).toBeTruthy();
    return () => callerFor(services, { sessionSecret: secret! });
  };
  const reasonOf = async (promise: Promise<unknown>) => promise.then(() => 'OK', (e: { cause?: { reason?: string } }) => e.cause?.reason ?? 'no reason');

  it('a new user gets a temporary code shown once, signs in with it only to choose a password, then works', async () => {
    const a = await admin();
    const email = `temp-${Date.now()}@accounts.test`;
    const created = await a.admin.users.create({ email, name: 'Tereza Temporária', role: 'clerk', storeIds: [org.stores[0]!.id] });
    expect(created.temporaryPassword).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(created.passwordTemporary).toBe(true);
    expect((await a.admin.users.byId({ id: created.id })) as Record<string, unknown>).not.toHaveProperty('temporaryPassword');

    // Typed in lower case, as read from a screen: it signs in, and nothing but choosing a password works.
    const user = await signIn(email, created.temporaryPassword!.toLowerCase());
    expect((await (await user()).auth.me()).user.passwordTemporary).toBe(true);
    expect(await reasonOf((await user()).purchaseRequests.list({ limit: 5 }))).toBe('password_change_required');
    expect(await reasonOf((await user()).auth.changePassword({ currentPassword: 'wrong', newPassword: 'uma senha bem longa' }))).toBe('wrong_current_password');
    for (const [weak, reason] of [
      ['curta', 'password_too_short'],
      ['1234567890', 'password_too_common'],
      ['senha12345', 'password_too_common'],
      ['aaaaaaaaaaaa', 'password_too_common'],
      [`${email.split('@')[0]}!!`, 'password_contains_identity'],
      ['tereza2026', 'password_contains_identity'],
    ] as const) {
      expect(await reasonOf((await user()).auth.changePassword({ currentPassword: created.temporaryPassword!, newPassword: weak })), weak).toBe(reason);
    }
    await (await user()).auth.changePassword({ currentPassword: created.temporaryPassword!, newPassword: 'girassol azul na janela' });
    // The same session goes on, now free; the code no longer signs in, the new password does.
    expect((await (await user()).auth.me()).user.passwordTemporary).toBe(false);
    expect(await reasonOf((await user()).purchaseRequests.list({ limit: 5 }))).toBe('OK');
    expect(await reasonOf((await fromNewAddress()).auth.login({ email, password: created.temporaryPassword! }))).toBe('invalid_login');
    await signIn(email, 'girassol azul na janela');
    const audits = await services.db.select().from(auditLog).where(and(eq(auditLog.entityId, created.id), eq(auditLog.action, 'user.passwordChanged')));
    expect(audits).toHaveLength(1);
  });

  it('an admin reset ends every session of the user and hands a new code; an expired code signs in no more', async () => {
    const a = await admin();
    const email = `reset-${Date.now()}@accounts.test`;
    const created = await a.admin.users.create({ email, name: 'Rui Reset', role: 'buyer', password: 'papagaio verde e amarelo', storeIds: [] });
    expect(created.temporaryPassword).toBeNull();
    const [one, two] = [await signIn(email, 'papagaio verde e amarelo'), await signIn(email, 'papagaio verde e amarelo')];
    const reset = await a.admin.users.resetPassword({ id: created.id });
    expect(reset.temporaryPassword).toMatch(/^[A-Z2-9]{4}-/);
    for (const session of [one, two]) expect(await reasonOf((await session()).auth.me())).toBe('signed_out');
    expect(await services.db.$count(loginSessions, and(eq(loginSessions.userId, created.id), isNull(loginSessions.revokedAt)))).toBe(0);
    expect(await reasonOf((await fromNewAddress()).auth.login({ email, password: 'papagaio verde e amarelo' }))).toBe('invalid_login');
    // Changing your own password ends your other sessions, not this one.
    const first = await signIn(email, reset.temporaryPassword!);
    const second = await signIn(email, reset.temporaryPassword!);
    await (await second()).auth.changePassword({ currentPassword: reset.temporaryPassword!, newPassword: 'outra frase bem comprida' });
    expect(await reasonOf((await first()).auth.me())).toBe('signed_out');
    expect(await reasonOf((await second()).auth.me())).toBe('OK');

    // A code past its 72 hours: refused with its own reason, the admin resets again.
    const late = await a.admin.users.resetPassword({ id: created.id });
    await services.sql`update users set password_expires_at = now() - interval '1 minute' where id = ${created.id}`;
    expect(await reasonOf((await fromNewAddress()).auth.login({ email, password: late.temporaryPassword! }))).toBe('temporary_password_expired');
    // Admins cannot set a weak password for someone either.
    expect(await reasonOf(a.admin.users.update({ id: created.id, password: '1234567890' }))).toBe('password_too_common');
  });
});
