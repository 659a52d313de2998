import { cacheKeys, cacheTags } from '../cache/keys';
import type { Services } from '../services';
import { findOperatorBySession, findPrincipalBySession, findPrincipalByToken } from './queries';
import type { Caller, Principal } from '../domain/principal';
import { looksLikeApiToken, looksLikeSessionSecret, sha256 } from './secrets';

export type Credentials = { sessionSecret: string | null; bearer: string | null };

/**
 * Resolves the caller from a bearer token or the session cookie: a member of an organization, or the platform
 * operator (sessions only; one cookie for both, the session's row says whose it is). The warm path is one cache
 * read; PostgreSQL (the source of truth) is asked on a miss, so a Redis outage costs speed, never a login.
 */
export async function resolveCaller(
  services: Pick<Services, 'db' | 'cache' | 'env'>,
  credentials: Credentials,
): Promise<{ caller: Caller | null; credentialError: string | null }> {
  if (credentials.bearer !== null) {
    if (!looksLikeApiToken(credentials.bearer)) return { caller: null, credentialError: 'Malformed API token' };
    const caller = await cachedLookup(services, cacheKeys.apiToken(sha256(credentials.bearer)), () =>
      findPrincipalByToken(services.db, { hash: sha256(credentials.bearer!) }),
    );
    return caller ? { caller, credentialError: null } : { caller: null, credentialError: 'API token unknown, revoked or expired' };
  }
  if (credentials.sessionSecret !== null) {
    if (!looksLikeSessionSecret(credentials.sessionSecret)) return { caller: null, credentialError: 'Malformed session cookie; sign in again' };
    const sessionId = sha256(credentials.sessionSecret);
    const caller = await cachedLookup(
      services,
      cacheKeys.session(sessionId),
      async () => (await findPrincipalBySession(services.db, sessionId)) ?? (await findOperatorBySession(services.db, sessionId)),
    );
    return caller ? { caller, credentialError: null } : { caller: null, credentialError: 'Session expired or signed out; sign in again' };
  }
  return { caller: null, credentialError: null };
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
  if (!now || now.kind === 'operator' || (now.expiresAt && Date.parse(now.expiresAt) <= Date.now())) return false;
  const stores = (p: Principal) => [...p.storeIds].sort().join(',');
  return now.userId === principal.userId && now.orgId === principal.orgId && now.role === principal.role && stores(now) === stores(principal);
}

// Concurrent requests with one credential share one database lookup (a cold or unreachable cache under load).
const loading = new Map<string, Promise<Caller | null>>();

async function cachedLookup(services: Pick<Services, 'cache' | 'env'>, key: string, load: () => Promise<Caller | undefined>): Promise<Caller | null> {
  const cached = await services.cache.get<Caller>(key);
  if (cached) {
    if (cached.expiresAt && Date.parse(cached.expiresAt) <= Date.now()) return null;
    return cached;
  }
  const running = loading.get(key);
  if (running) return running;
  const job = (async () => {
    const caller = await load();
    if (!caller) return null;
    const secondsLeft = caller.expiresAt ? Math.floor((Date.parse(caller.expiresAt) - Date.now()) / 1000) : Infinity;
    const ttlSeconds = Math.min(services.env.SESSION_CACHE_TTL_SECONDS, secondsLeft);
    const tag = caller.kind === 'operator' ? cacheTags.operatorAuth(caller.operatorId) : cacheTags.userAuth(caller.userId);
    if (ttlSeconds > 0) await services.cache.set(key, caller, { ttlSeconds, tags: [tag] });
    return caller;
  })().finally(() => loading.delete(key));
  loading.set(key, job);
  return job;
}
