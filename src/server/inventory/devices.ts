import { timingSafeEqual } from 'node:crypto';
import { writeAudit } from '../audit/audit';
import { sha256 } from '../auth/secrets';
import type { Executor } from '../db/client';
import type { SignedInContext } from '../domain/context';
import { inTransaction } from '../domain/transaction';
import { AppError, notFound } from '../errors';
import { visibleSession } from './access';
import { deleteDeviceOfSession, deviceSyncedIn, registeredSecretHash } from './queries/devices';

/**
 * A counting tablet proves it is the device it claims: it makes a secret once (kept with its device id in
 * IndexedDB) and sends it with every sync; the first sync registers it for the org. Without this, a clerk who read
 * another tablet's id on the progress screen could sync as it and zero the pending count finalize waits for.
 */
export async function proveDevice(tx: Executor, ctx: SignedInContext, deviceId: string, deviceSecret: string): Promise<void> {
  const presented = sha256(deviceSecret);
  const registered = await registeredSecretHash(tx, { orgId: ctx.principal.orgId, deviceId, secretHash: presented, userId: ctx.principal.userId });
  if (!timingSafeEqual(Buffer.from(registered), Buffer.from(presented))) {
    throw new AppError(
      'FORBIDDEN',
      'device_secret_mismatch',
      `Device ${deviceId} is registered to another tablet, so this one cannot sync as it; a manager can release the device on the session's progress screen`,
      { deviceId },
    );
  }
}

/**
 * Releases a device of the session (a tablet whose id was taken, or restored from another's copy): its next sync
 * registers it again with the secret it presents. Releasing twice changes nothing more.
 */
export async function releaseDevice(ctx: SignedInContext, input: { sessionId: string; deviceId: string }): Promise<{ released: boolean }> {
  return inTransaction(ctx, async (tx) => {
    const session = await visibleSession(ctx, input.sessionId, { tx });
    const released = await deleteDeviceOfSession(tx, ctx.principal.orgId, session.id, input.deviceId);
    if (!released && !(await deviceSyncedIn(tx, session.id, input.deviceId))) throw notFound('inventory_device', { deviceId: input.deviceId });
    if (released) {
      await writeAudit(tx, ctx.actor, { action: 'inventory.deviceReleased', entityType: 'inventory_session', entityId: session.id, after: { deviceId: input.deviceId } });
    }
    return { released };
  });
}
