import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { deviceTokens } from '../db/schema';

/** A token moves to whoever registered it last (a shared tablet changes hands). */
export async function upsertDeviceToken(db: Executor, values: { orgId: string; userId: string; token: string; platform: string }) {
  await db
    .insert(deviceTokens)
    .values(values)
    .onConflictDoUpdate({ target: deviceTokens.token, set: { orgId: values.orgId, userId: values.userId, platform: values.platform, lastSeenAt: sql`now()` } });
}

export async function deleteDeviceToken(db: Executor, userId: string, token: string) {
  const rows = await db
    .delete(deviceTokens)
    .where(and(eq(deviceTokens.userId, userId), eq(deviceTokens.token, token)))
    .returning({ id: deviceTokens.id });
  return rows.length;
}
