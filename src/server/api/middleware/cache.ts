import { createHash } from 'node:crypto';
import type { Principal } from '../../domain/principal';
import { cacheTags } from '../../cache/keys';

/** Canonical JSON: object keys sorted, so `{a,b}` and `{b,a}` are one entry. */
function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);

/**
 * What a cached answer may depend on besides its input: who asks. Two callers share an entry only when org,
 * role and store scope are all equal, so a cached answer can never show one caller another's rows.
 */
export function authorizationScope(principal: Principal | null): string {
  if (!principal) return 'anonymous';
  return `${principal.orgId}:${principal.role}:${[...principal.storeIds].sort().join(',')}`;
}

export function procedureCacheKey(path: string, principal: Principal | null, input: unknown): string {
  return `trpc:${path}:${digest(authorizationScope(principal))}:${digest(canonical(input))}`;
}

/** The families of cached procedure answers, each dropped by its org's tag. */
export type CacheFamily = 'products' | 'stores' | 'users';
export const cacheFamilyTag = (family: CacheFamily, orgId: string) => cacheTags[family](orgId);
