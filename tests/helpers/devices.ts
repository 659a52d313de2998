import { createHash } from 'node:crypto';

/**
 * The secret a test's tablet `deviceId` proves itself with: the same id always gets the same secret (as a real
 * tablet keeps its own in IndexedDB), so every sync of one device in a test agrees with its first.
 */
export const deviceSecretOf = (deviceId: string) => createHash('sha256').update(`test-device:${deviceId}`).digest('base64url');
