import { createHash } from 'node:crypto';

/**
 * A test's tablet named `label`: a secret made from the label (the same label, the same tablet) and the id that
 * secret proves, derived as `~/lib/device-identity` does on a real tablet.
 */
export function device(label: string): { deviceId: string; deviceSecret: string } {
  const deviceSecret = createHash('sha256').update(`test-device:${label}`).digest('base64url');
  return { deviceId: `tab-${createHash('sha256').update(deviceSecret).digest().subarray(0, 12).toString('base64url')}`, deviceSecret };
}

/** The id of the test tablet named `label`. */
export const deviceIdOf = (label: string) => device(label).deviceId;
