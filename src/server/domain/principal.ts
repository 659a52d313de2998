import type { UserRole } from '../db/schema';

/**
 * A member of one organization, resolved from a session cookie or an API token: the caller of every org-scoped
 * procedure and service (the org of every query comes from here). Cached, so it holds plain data only.
 */
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
  /** Signed in with a temporary password: only choosing a password of their own is allowed until they do. */
  mustChangePassword: boolean;
};

/**
 * The platform operator, outside every organization: it has no `orgId`, so it can never stand where a `Principal`
 * is expected (every org-scoped service takes one). Signs in with a session only. Cached like a Principal.
 */
export type OperatorPrincipal = {
  kind: 'operator';
  /** Session id (SHA-256 of the cookie secret). */
  credentialId: string;
  operatorId: string;
  name: string;
  email: string;
  expiresAt: string;
};

/** Managers and admins see every store of their org; clerks and buyers the stores they work in. */
export const isManager = (principal: Pick<Principal, 'role'>) => principal.role === 'manager' || principal.role === 'admin';

/** A store's stock, deliveries and suggestions: clerks see the stores they work in, everyone else every store of the org. */
export const seesStore = (principal: Pick<Principal, 'role' | 'storeIds'>, storeId: string) => principal.role !== 'clerk' || principal.storeIds.includes(storeId);

/** Whoever a credential resolves to. */
export type Caller = Principal | OperatorPrincipal;
