import { cacheKeys, cacheTags } from '../cache/keys';
import type { Services } from '../services';
import { findPrincipalBySession, findPrincipalByToken } from './queries';
import type { Principal } from '../domain/principal';
import { looksLikeApiToken, looksLikeSessionSecret, sha256 } from './secrets';

export type Credentials = { sessionSecret: string | null; bearer: string | null };


/**
 * Resolves the caller from a bearer token or the session cookie. The warm path is one cache read;
 * PostgreSQL (the source of truth) is asked on a miss, so a Redis outage costs speed, never a login.
 */
export async function resolvePrincipal(
  services: Pick<Services, 'db' | 'cache' | 'env'>,
  credentials: Credentials,
): Promise<{ principal: Principal | null; credentialError: string | null }> {
  if (credentials.bearer !== null) {
    if (!looksLikeApiToken(credentials.bearer)) return { principal: null, credentialError: 'Malformed API token' };
    const principal = await cachedLookup(services, cacheKeys.apiToken(sha256(credentials.bearer)), () =>
      findPrincipalByToken(services.db, { hash: sha256(credentials.bearer!) }),
    );
    return principal ? { principal, credentialError: null } : { principal: null, credentialError: 'API token unknown, revoked or expired' };
  }
  if (credentials.sessionSecret !== null) {
    if (!looksLikeSessionSecret(credentials.sessionSecret)) return { principal: null, credentialError: 'Malformed session cookie; sign in again' };
    const sessionId = sha256(credentials.sessionSecret);
    const principal = await cachedLookup(services, cacheKeys.session(sessionId), () => findPrincipalBySession(services.db, sessionId));
    return principal ? { principal, credentialError: null } : { principal: null, credentialError: 'Session expired or signed out; sign in again' };
  }
  return { principal: null, credentialError: null };
}

/**
 * Whether the credential a long-lived call (a live stream) was opened with still stands for the same access: not
 * revoked, expired or signed out, its user still active, with the same org, role and stores.
 */
export async function principalStillValid(services: Pick<Services, 'db' | 'cache' | 'env'>, principal: Principal): Promise<boolean> {
  const now =
    principal.kind === 'session'
      ? await cachedLookup(services, cacheKeys.session(principal.credentialId), () => findPrincipalBySession(services.db, principal.credentialId))
      : ((await findPrincipalByToken(services.db, { id: principal.credentialId })) ?? null);
  if (!now || (now.expiresAt && Date.parse(now.expiresAt) <= Date.now())) return false;
  const stores = (p: Principal) => [...p.storeIds].sort().join(',');
  return now.userId === principal.userId && now.orgId === principal.orgId && now.role === principal.role && stores(now) === stores(principal);
}

// Concurrent requests with one credential share one database lookup (a cold or unreachable cache under load).
const loading = new Map<string, Promise<Principal | null>>();

async function cachedLookup(
  services: Pick<Services, 'cache' | 'env'>,
  key: string,
  load: () => Promise<Principal | undefined>,
): Promise<Principal | null> {
  const cached = await services.cache.get<Principal>(key);
  if (cached) {
    if (cached.expiresAt && Date.parse(cached.expiresAt) <= Date.now()) return null;
    return cached;
  }
  const running = loading.get(key);
  if (running) return running;
  const job = (async () => {
    const principal = await load();
    if (!principal) return null;
    const secondsLeft = principal.expiresAt ? Math.floor((Date.parse(principal.expiresAt) - Date.now()) / 1000) : Infinity;
    const ttlSeconds = Math.min(services.env.SESSION_CACHE_TTL_SECONDS, secondsLeft);
    if (ttlSeconds > 0) await services.cache.set(key, principal, { ttlSeconds, tags: [cacheTags.userAuth(principal.userId)] });
    return principal;
  })().finally(() => loading.delete(key));
  loading.set(key, job);
  return job;
}
