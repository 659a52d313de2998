import type { Principal } from '../domain/principal';
import { findStore } from '../accounts/queries/stores';
import { principalStillValid } from '../auth/authenticate';
import { cacheKeys } from '../cache/keys';
import { answerOfEntry } from '../cache/prepared-answers';
import type { Database } from '../db/client';
import type { SignedInContext } from '../domain/context';
import { AppError, notFound } from '../errors';
import type { LiveEvent } from '../live/bus';
import type { Services } from '../services';
import { loadDashboard, loadRecentRequests, type DashboardAggregates } from './queries';

export const RECENT_PAGE_SIZE = 10;

/**
 * Whose dashboard: managers and admins see the org or any one store; clerks only a store they work at.
 * Returns the store to scope to (null = the whole org).
 */
export function dashboardScope(principal: Principal, storeId: string | null | undefined): string | null {
  if (principal.role === 'manager' || principal.role === 'admin') return storeId ?? null;
  if (storeId) {
    if (!principal.storeIds.includes(storeId)) throw notFound('store', { field: 'storeId' });
    return storeId;
  }
  if (principal.storeIds.length === 1) return principal.storeIds[0]!;
  throw new AppError('INVALID', 'store_required', 'Choose one of your stores', { field: 'storeId' });
}

/** The summary's cache key already proves the store (entries are only built for stores of the org); these check. */
async function checkedScope(ctx: SignedInContext, storeId: string | null | undefined) {
  const scope = dashboardScope(ctx.principal, storeId);
  if (scope && !(await findStore(ctx.db, ctx.principal.orgId, scope))) throw notFound('store', { field: 'storeId' });
  return scope;
}

export type DashboardSummary = DashboardAggregates & { builtAt: string; scope: { storeId: string | null } };

/** A cache miss costs one SQL statement (see loadDashboard). */
export async function buildDashboard(db: Database, orgId: string, storeId: string | null): Promise<DashboardSummary> {
  const aggregates = await loadDashboard(db, orgId, storeId ? [storeId] : null, RECENT_PAGE_SIZE);
  if (storeId && !aggregates.stores.some((s) => s.storeId === storeId)) throw notFound('store', { field: 'storeId' });
  return { ...aggregates, builtAt: new Date().toISOString(), scope: { storeId } };
}

/**
 * The versions of an org's dashboards after a change (`invalidate`): the whole org's (`org`) and each changed
 * store's own (`stores`). Undefined where the shared cache did not answer (no version can be told then).
 */
export type DashboardVersions = { org: number | undefined; stores: Map<string, number | undefined> };

/**
 * Outdates the dashboards a change shows on: the changed stores' and the whole org's, or (`storeIds` null: a change
 * every dashboard shows, such as the buyers' approval rates) all of the org's. `eventual`: readers keep the entries
 * they have until they are rebuilt (see `warm`). Resolves to the versions the entries rebuilt after it carry.
 */
export async function outdateDashboards(
  services: Pick<Services, 'dashboardCache'>,
  orgId: string,
  storeIds: string[] | null,
  how: { eventual?: boolean } = {},
): Promise<DashboardVersions> {
  const cache = services.dashboardCache;
  const bumps = storeIds === null ? [cacheKeys.dashboardGenerations(orgId, null)[0]] : [null, ...storeIds].map((s) => cacheKeys.dashboardGenerations(orgId, s)[1]);
  const bumped = (await Promise.all(bumps.map((key) => cache.invalidate(key, how)))).every((n) => n !== undefined);
  // Read after every bump: a version includes this change (and any made meanwhile), so no screen holds it yet. (Two
  // commands, not one script: a bump that failed leaves its entries current until the outbox's delivery outdates them.)
  const versionOf = async (scope: string | null) => (bumped ? cache.generation(cacheKeys.dashboardGenerations(orgId, scope)) : undefined);
  const stores = storeIds ?? [];
  const [org, ...own] = await Promise.all([versionOf(null), ...stores.map(versionOf)]);
  return { org, stores: new Map(stores.map((s, i) => [s, own[i]])) };
}

/**
 * Background work changed what an org's dashboards show (a photo's verdict, a view refreshed): `outdateDashboards`
 * eventually — readers keep the entry they have, nobody waits — and the entries of the `warm` scopes (null: the
 * whole org) that someone has read are rebuilt now; resolves once they are. A failed rebuild leaves the entry to be
 * rebuilt when its freshness ends.
 */
export async function outdateEventually(
  services: Pick<Services, 'db' | 'dashboardCache' | 'logger'>,
  orgId: string,
  storeIds: string[] | null,
  warm: Iterable<string | null>,
): Promise<DashboardVersions> {
  const versions = await outdateDashboards(services, orgId, storeIds, { eventual: true });
  // One after the other: a change of a whole chain's stores must not take every connection of the process at once.
  for (const scope of warm) {
    await services.dashboardCache
      .warm(cacheKeys.dashboard(orgId, scope), cacheKeys.dashboardGenerations(orgId, scope), () => buildDashboard(services.db, orgId, scope))
      .catch((error: unknown) => {
        services.logger.warn({ err: error, orgId, storeId: scope }, 'dashboard rebuild after a change failed');
      });
  }
  return versions;
}

/**
 * Everything the dashboard shows, from its stale-while-revalidate cache (60 s fresh) or one SQL statement.
 * `version`: the generation the figures were built at; the live events that change them carry the version the next
 * build will have (consumers.ts), so an open screen that already holds it does not refetch.
 */
export async function getDashboard(ctx: SignedInContext, storeId?: string | null) {
  const orgId = ctx.principal.orgId;
  const scope = dashboardScope(ctx.principal, storeId);
  const { data, source, generation } = await ctx.services.dashboardCache.get(cacheKeys.dashboard(orgId, scope), cacheKeys.dashboardGenerations(orgId, scope), () =>
    buildDashboard(ctx.db, orgId, scope),
  );
  // The queues are the operators' concern: only admins see them (a clerk or a manager has nothing to do about them).
  // One answer object per entry, source and kind of caller, so its bytes are serialized once (prepared-answers.ts).
  const admin = ctx.principal.role === 'admin';
  return answerOfEntry(data, `${source}:${admin ? 'admin' : 'other'}:${generation}`, () => {
    const { queues, ...figures } = data;
    return { ...figures, queues: admin ? queues : null, cache: source, version: generation };
  });
}

/** Further pages of the recent requests, with store, creator, items, products and buyers: one statement per page. */
export async function recentRequests(ctx: SignedInContext, params: { storeId?: string | null; cursor?: string | null; limit: number }) {
  const storeId = await checkedScope(ctx, params.storeId);
  return loadRecentRequests(ctx.db, ctx.principal.orgId, { storeIds: storeId ? [storeId] : null, cursor: params.cursor, limit: params.limit });
}

/**
 * The live stream of one open screen: an event whenever something it shows changed (the screen refetches).
 * Checked before the stream starts, so a refusal is an ordinary error with its code; it ends (the client then
 * finds out why on its next call) as soon as the session or token it was opened with no longer holds: signed
 * out, revoked, expired, its user deactivated or moved to another role or store.
 */
export async function liveChanges(ctx: SignedInContext, storeId: string | null | undefined, signal: AbortSignal): Promise<AsyncIterable<Omit<LiveEvent, 'storeVersion'>>> {
  const scope = await checkedScope(ctx, storeId);
  const open = new AbortController();
  const close = () => open.abort();
  signal.addEventListener('abort', close, { once: true });
  const recheck = setInterval(() => {
    principalStillValid(ctx.services, ctx.principal)
      .then((valid) => (valid ? undefined : close()))
      .catch((error: unknown) => ctx.logger.warn({ err: error }, 'live stream credential check failed; checking again later'));
  }, ctx.services.env.LIVE_RECHECK_SECONDS * 1000);
  recheck.unref();
  open.signal.addEventListener('abort', () => clearInterval(recheck), { once: true });
  const events = ctx.services.live.events(ctx.principal.orgId, open.signal);
  return (async function* () {
    try {
      for await (const { storeVersion, ...event } of events) {
        // A store's screen is told its own dashboard's version (none for a change of no one store: it refetches).
        if (!scope) yield event;
        else if (!event.storeId || event.storeId === scope) yield { ...event, version: event.storeId ? storeVersion : undefined };
      }
    } finally {
      clearInterval(recheck);
      signal.removeEventListener('abort', close);
    }
  })();
}
