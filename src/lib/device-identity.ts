/**
 * A counting tablet's identity: a secret it makes once (32 random bytes, base64url) and an id derived from it,
 * `tab-` + the first 96 bits of its SHA-256. The server recomputes the id from the secret each sync, so knowing
 * a tablet's id (the progress screen shows them) is no way to sync as it, and there is nothing to register.
 */
export const DEVICE_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export function newDeviceSecret(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The device id a secret proves (WebCrypto: the same code on the tablet and the server). */
export async function deviceIdFor(secret: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)));
  return `tab-${base64url(digest.subarray(0, 12))}`;
}
