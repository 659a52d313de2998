import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { countingDevices } from '../../db/schema';

/**
 * The secret hash a device is registered with, registering it with `secretHash` first if it is new (the first
 * sync wins; a concurrent first sync of the same device waits for this one and then reads its row).
 */
export async function registeredSecretHash(db: Executor, device: { orgId: string; deviceId: string; secretHash: string; userId: string }): Promise<string> {
  await db
    .insert(countingDevices)
    .values({ orgId: device.orgId, deviceId: device.deviceId, secretHash: device.secretHash, registeredBy: device.userId })
    .onConflictDoNothing();
  const [row] = await db
    .select({ secretHash: countingDevices.secretHash })
    .from(countingDevices)
    .where(and(eq(countingDevices.orgId, device.orgId), eq(countingDevices.deviceId, device.deviceId)));
  return row!.secretHash;
}

/** Forgets a device's registration, if the device synced in this session; answers whether it did. */
export async function deleteDeviceOfSession(db: Executor, orgId: string, sessionId: string, deviceId: string): Promise<boolean> {
  const rows = await db.execute(sql`
    delete from counting_devices c
     where c.org_id = ${orgId} and c.device_id = ${deviceId}
       and exists (select 1 from inventory_devices d where d.session_id = ${sessionId} and d.device_id = ${deviceId})
    returning c.device_id`);
  return [...rows].length > 0;
}

export async function deviceSyncedIn(db: Executor, sessionId: string, deviceId: string): Promise<boolean> {
  const rows = await db.execute(sql`select 1 from inventory_devices where session_id = ${sessionId} and device_id = ${deviceId}`);
  return [...rows].length > 0;
}
