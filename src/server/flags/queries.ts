import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { featureFlags } from '../db/schema';

export type FlagRow = { flag: string; storeId: string | null; enabled: boolean; updatedAt: Date; updatedBy: string | null };

/** Every choice an org made (its own and its stores'): a few rows. */
export function flagRowsOf(db: Executor, orgId: string): Promise<FlagRow[]> {
  return db
    .select({ flag: featureFlags.flag, storeId: featureFlags.storeId, enabled: featureFlags.enabled, updatedAt: featureFlags.updatedAt, updatedBy: featureFlags.updatedBy })
    .from(featureFlags)
    .where(eq(featureFlags.orgId, orgId));
}

const where = (orgId: string, flag: string, storeId: string | null) =>
  and(eq(featureFlags.orgId, orgId), eq(featureFlags.flag, flag), storeId === null ? isNull(featureFlags.storeId) : eq(featureFlags.storeId, storeId));

/** The org's (or store's) choice for a flag, locked for its change; undefined: none made. */
export async function lockFlagRow(tx: Executor, orgId: string, flag: string, storeId: string | null): Promise<boolean | undefined> {
  // The row may not exist yet: two admins choosing at once are put in line by a lock on the choice's key.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`flag:${orgId}:${flag}:${storeId ?? ''}`}, 0))`);
  const [row] = await tx.select({ enabled: featureFlags.enabled }).from(featureFlags).where(where(orgId, flag, storeId));
  return row?.enabled;
}

export async function saveFlagRow(tx: Executor, row: { orgId: string; flag: string; storeId: string | null; enabled: boolean; updatedBy: string | null }) {
  await tx
    .insert(featureFlags)
    .values(row)
    .onConflictDoUpdate({ target: [featureFlags.orgId, featureFlags.flag, featureFlags.storeId], set: { enabled: row.enabled, updatedBy: row.updatedBy, updatedAt: new Date() } });
}

export async function deleteFlagRow(tx: Executor, orgId: string, flag: string, storeId: string | null) {
  await tx.delete(featureFlags).where(where(orgId, flag, storeId));
}
