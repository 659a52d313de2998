import { createHash, randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'mi_session';
const TOKEN_PREFIX = 'mi_';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** API tokens look like `mi_<8 chars>_<secret>`; the first part is shown in lists, the whole is hashed. */
export function newApiToken(): { token: string; prefix: string } {
  const prefix = `${TOKEN_PREFIX}${randomBytes(6).toString('base64url')}`;
  return { token: `${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

export const looksLikeApiToken = (value: string) => /^mi_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/.test(value);
export const looksLikeSessionSecret = (value: string) => /^[A-Za-z0-9_-]{43}$/.test(value);
