import { randomUUID } from 'node:crypto';
import { type TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { callerFor, createOrgFixture, createTestServices, TEST_PASSWORD, type OrgFixture } from './harness';
import { hashPassword } from '../../src/server/auth/password';
import { newSessionSecret, sha256 } from '../../src/server/auth/secrets';
import { inventorySessions, loginSessions, storeMemberships, users, type UserRole } from '../../src/server/db/schema';
import { setQuantities } from '../../src/server/stock/queries';
import type { Services } from '../../src/server/services';

/** Helpers shared by the inventory test files (not a test file itself). */

export type InventoryFixture = OrgFixture & { secondClerk: { id: string; secret: string } };

/** The org fixture plus a second clerk of store 1 (recounts are made by someone else). */
export async function createInventoryFixture(services: Services, slug: string): Promise<InventoryFixture> {
  const org = await createOrgFixture(services, slug);
  const secondClerk = await addUser(services, org, 'clerk', `clerk2@${slug}.test`, [org.stores[0]!.id]);
  return { ...org, secondClerk };
}

/** A fresh database with org A (stock 10/20/30 of its first products at its first store) and org B, to cross into. */
export async function createTwoOrgInventory(slug: string) {
  const { services, close } = await createTestServices();
  const org = await createInventoryFixture(services, slug);
  const other = await createInventoryFixture(services, `${slug}-other`);
  await setStock(services, org, 0, [10, 20, 30]);
  return { services, close, org, other };
}

/** For afterEach: a session a failing test left open must not fail the next ones (one open session per store). */
export const cancelOpenSessions = (services: Services) => services.db.update(inventorySessions).set({ status: 'cancelled' }).where(eq(inventorySessions.status, 'open'));

export async function addUser(services: Services, org: OrgFixture, role: UserRole, email: string, storeIds: string[]) {
  const [user] = await services.db
    .insert(users)
    .values({ orgId: org.org.id, email, name: email.split('@')[0]!, role, passwordHash: await hashPassword(TEST_PASSWORD) })
    .returning();
  if (storeIds.length) await services.db.insert(storeMemberships).values(storeIds.map((storeId) => ({ orgId: org.org.id, userId: user!.id, storeId })));
  const secret = newSessionSecret();
  await services.db.insert(loginSessions).values({ id: sha256(secret), orgId: org.org.id, userId: user!.id, expiresAt: new Date(Date.now() + 3600_000) });
  return { id: user!.id, secret };
}

/** Sets a store's quantities of the fixture's products as a stock import does: through the ledger (`import` movements). */
export async function setStock(services: Services, org: OrgFixture, storeIndex: number, quantities: number[]) {
  await services.db.transaction((tx) =>
    setQuantities(tx, {
      orgId: org.org.id,
      storeId: org.stores[storeIndex]!.id,
      operationId: randomUUID(),
      userId: null,
      quantities: quantities.map((quantity, i) => ({ productId: org.products[i]!.id, quantity })),
    }),
  );
}

let seq = 0;
export type EntryInput = { id: string; ean: string; quantity: number; zone: string; countedAt: Date; seq: number; replaces?: string | null; recount?: boolean };

/** A count entry as a device makes it: its own UUID and the next sequence number. */
export function entry(ean: string, quantity = 1, extra: Partial<EntryInput> = {}): EntryInput {
  return { id: randomUUID(), ean, quantity, zone: '', countedAt: new Date(), seq: ++seq, ...extra };
}

export { codeOf } from './harness';

export const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as TRPCError & { cause?: { reason?: string; data?: Record<string, unknown> } },
  );

export const as = (services: Services, org: OrgFixture, role: UserRole) => callerFor(services, { sessionSecret: org.secrets[role] });
export const asSecret = (services: Services, secret: string) => callerFor(services, { sessionSecret: secret });
