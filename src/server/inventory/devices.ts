import { deviceIdFor } from '~/lib/device-identity';
import { AppError } from '../errors';

/**
 * A counting tablet proves it is the device it names: its id is derived from a secret only it holds
 * (`~/lib/device-identity`), and it sends the secret with every sync. Without this, a clerk who read another
 * tablet's id on the progress screen could sync as it and zero the pending count finalize waits for.
 */
export async function proveDevice(deviceId: string, deviceSecret: string): Promise<void> {
  if ((await deviceIdFor(deviceSecret)) !== deviceId) {
    throw new AppError('FORBIDDEN', 'device_secret_mismatch', `This secret does not prove device ${deviceId}: a tablet syncs only as itself`, { deviceId });
  }
}
