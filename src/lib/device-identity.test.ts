import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEVICE_SECRET_PATTERN, deviceIdFor, newDeviceSecret } from './device-identity';

describe('device identity', () => {
  it('makes 43-character secrets, a new one each time', () => {
    const a = newDeviceSecret();
    expect(a).toMatch(DEVICE_SECRET_PATTERN);
    expect(newDeviceSecret()).not.toBe(a);
  });

  it('derives the id from the first 96 bits of the secret’s SHA-256', async () => {
    const secret = newDeviceSecret();
    const expected = `tab-${createHash('sha256').update(secret).digest().subarray(0, 12).toString('base64url')}`;
    expect(await deviceIdFor(secret)).toBe(expected);
    expect(await deviceIdFor(secret)).toMatch(/^tab-[A-Za-z0-9_-]{16}$/);
  });
});
