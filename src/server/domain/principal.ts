import type { UserRole } from '../db/schema';

/** Who a request acts as, resolved from a session cookie or an API token. Cached, so it holds plain data only. */
export type Principal = {
  kind: 'session' | 'token';
  /** Session id (SHA-256 of the cookie secret) or API token id. */
  credentialId: string;
  userId: string;
  orgId: string;
  role: UserRole;
  name: string;
  email: string;
  /** Stores the user works in; managers/admins see every store of the org regardless. */
  storeIds: string[];
  expiresAt: string | null;
};

