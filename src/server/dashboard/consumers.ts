import { cacheKeys } from '../cache/keys';
import type { CommittedEvent, Consumer, ConsumerDeps, StoredEvent } from '../events/consumer';
import type { DomainEventType, EventType } from '../events/types';
import type { LiveEvent } from '../live/bus';
import { addDailyStats, type DailyStatsDelta } from './queries';
import { outdateDashboards, outdateEventually } from './service';

/** What the event adds to its store's day, and the store. */
function delta(event: StoredEvent): { storeId: string; delta: DailyStatsDelta } | null {
  switch (event.type) {
    case 'purchaseRequest.created':
      return { storeId: event.payload.storeId, delta: { requestsCreated: 1, requestsValue: event.payload.totalValue } };
    case 'purchaseRequest.itemDecided':
      return { storeId: event.payload.storeId, delta: event.payload.decision === 'approved' ? { itemsApproved: 1 } : { itemsRejected: 1 } };
    case 'inventory.finalized':
      return { storeId: event.payload.storeId, delta: { inventoriesFinalized: 1, varianceValue: event.payload.varianceValue } };
    default:
      return null;
  }
}

/**
 * Keeps store_daily_stats (the dashboard's charts) from the events, on the day each event happened. Counters
 * only add up, so the order events arrive in does not matter; the processed mark makes each count once.
 */
export const analyticsConsumer: Consumer = {
  name: 'analytics',
  handles: (type) => type === 'purchaseRequest.created' || type === 'purchaseRequest.itemDecided' || type === 'inventory.finalized',
  async apply(tx, event) {
    const d = delta(event);
    if (!d || !event.orgId) return;
    await addDailyStats(tx, event.orgId, d.storeId, event.createdAt, d.delta);
  },
};

/** Events that change what the dashboard shows (its cache goes), and the kind open screens are told of. */
const DASHBOARD: Partial<Record<EventType, LiveEvent['kind']>> = {
  'purchaseRequest.created': 'purchaseRequest',
  'purchaseRequest.itemDecided': 'purchaseRequest',
  'purchaseRequest.completed': 'purchaseRequest',
  'purchaseRequest.closed': 'purchaseRequest',
  // Deliveries awaited and being received, per store.
  'stock.received': 'purchaseRequest',
  'receiving.opened': 'purchaseRequest',
  'inventory.opened': 'inventory',
  'inventory.finalized': 'inventory',
  'inventory.cancelled': 'inventory',
  'compliance.tasksChanged': 'compliance',
  'compliance.submitted': 'compliance',
  'compliance.reviewRequired': 'compliance',
  'compliance.completed': 'compliance',
  'compliance.returned': 'compliance',
};
const changesDashboard = (type: DomainEventType): type is EventType => type in DASHBOARD;

/**
 * Changes the dashboard shows eventually rather than at once: background work (a photo's verdict, the scheduler's
 * new tasks) and a clerk's submission nobody reads back on the dashboard. A chain's opening checklist is hundreds of
 * them in a minute: each outdating the cache at once would make dashboard readers wait for a rebuild hundreds of
 * times (bench:compliance). They are the workers' (from the outbox): the cache is outdated eventually, the entries
 * open screens read are rebuilt, and only then are the screens told, so their refetch finds the new figures.
 */
const EVENTUAL = new Set<DomainEventType>(['compliance.tasksChanged', 'compliance.submitted', 'compliance.reviewRequired', 'compliance.completed', 'compliance.returned']);

/** The stores whose dashboards an event changes; null: every dashboard of the org. */
const storesOf = (event: StoredEvent | CommittedEvent): string[] | null =>
  'storeId' in event.payload ? (event.payload.storeId ? [event.payload.storeId] : null) : 'storeIds' in event.payload ? event.payload.storeIds : null;

/** The one store an event is about, which store screens hear it (null: every screen of the org). */
const storeOf = (event: StoredEvent | CommittedEvent) => {
  const stores = storesOf(event);
  return stores?.length === 1 ? stores[0]! : null;
};

/**
 * Events whose dashboard figures are written by the workers after the caller's commit: the charts' day counters
 * (`analytics`, in the delivery's transaction). The caller tells open screens of the change at once (the lists and
 * counts it wrote), and the outbox's delivery tells them again, eventually, once the charts have it: a second
 * version, a second refetch, each for a real change.
 */
const chartsFollow = (type: DomainEventType) => type !== 'inventory.progressed' && analyticsConsumer.handles(type);

/**
 * The live dashboard's side of a change, for a set of events at once: the dashboards they show on are outdated
 * once per org (the changed stores' and the whole org's; eventually for `eventual` types: readers keep the entry
 * they have until it is rebuilt), and open screens are told once per kind and store, with the dashboard's version
 * after the change (a screen whose figures have it already does not refetch). Progress announcements (a device
 * synced, recounts asked) leave the cache alone: the dashboard's figures do not include them, and their events
 * carry no version. Resolves true when every bump and every publish went through.
 */
async function tellOpenScreens(events: (StoredEvent | CommittedEvent)[], { services }: ConsumerDeps, eventual: (type: DomainEventType) => boolean): Promise<boolean> {
  type Changed = { stores: Set<string>; wholeOrg: boolean };
  const outdated = new Map<string, Changed>();
  const eventually = new Map<string, Changed>();
  const told = new Map<string, Omit<LiveEvent, 'at'>>();
  for (const event of events) {
    if (!event.orgId) continue;
    const kind = changesDashboard(event.type) ? DASHBOARD[event.type]! : event.type === 'inventory.progressed' ? 'inventory' : null;
    if (!kind) continue;
    if (changesDashboard(event.type)) {
      const changes = eventual(event.type) ? eventually : outdated;
      const changed = changes.get(event.orgId) ?? { stores: new Set(), wholeOrg: false };
      changes.set(event.orgId, changed);
      const stores = storesOf(event);
      if (stores) for (const storeId of stores) changed.stores.add(storeId);
      else changed.wholeOrg = true;
    }
    const storeId = storeOf(event);
    const key = `${event.orgId}:${kind}:${storeId}`;
    // Progress alone (no figure of the dashboard changed) unless a change of the same kind and store comes with it.
    const before = told.get(key);
    const progressOnly = !changesDashboard(event.type) && (before ? before.progressOnly === true : true);
    told.set(key, { orgId: event.orgId, kind, storeId, ...(progressOnly ? { progressOnly } : {}) });
  }
  const storeIdsOf = (changed: Changed) => (changed.wholeOrg ? null : [...changed.stores]);
  const results = await Promise.all([
    ...[...outdated].map(([orgId, changed]) => outdateDashboards(services, orgId, storeIdsOf(changed)).then((v) => [orgId, v] as const)),
    // The org's view and the changed stores' are rebuilt; the screens are told once they are (or failed to be).
    ...[...eventually].map(([orgId, changed]) =>
      outdateEventually(services, orgId, storeIdsOf(changed), [null, ...changed.stores]).then((v) => [orgId, v] as const),
    ),
  ]);
  // The highest of each org's (a change bumped both kinds: the later bump's), and of each changed store's.
  const latest = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));
  const orgVersions = new Map<string, number | undefined>();
  const storeVersions = new Map<string, number | undefined>();
  let bumped = true;
  for (const [orgId, versions] of results) {
    if (versions.org === undefined || [...versions.stores.values()].includes(undefined)) bumped = false;
    orgVersions.set(orgId, latest(orgVersions.get(orgId), versions.org));
    for (const [storeId, version] of versions.stores) storeVersions.set(`${orgId}:${storeId}`, latest(storeVersions.get(`${orgId}:${storeId}`), version));
  }
  const at = Date.now();
  const published = await Promise.all(
    [...told.values()].map((e) => {
      // A version only when a change told here bumped it (a progress announcement alone changes no figure).
      const version = orgVersions.get(e.orgId);
      const storeVersion = e.storeId ? storeVersions.get(`${e.orgId}:${e.storeId}`) : undefined;
      return services.live.publish({ ...e, at, ...(version === undefined ? {} : { version }), ...(storeVersion === undefined ? {} : { storeVersion }) });
    }),
  );
  return bumped && published.every(Boolean);
}

/** How long the outbox's delivery of an event already told at its commit is recognised as told (see below). */
const TOLD_SECONDS = 600;

/**
 * Told at the commit: marked, so the outbox's delivery of the same events (the safety net for a caller that died
 * before telling) does not outdate the cache and tell the screens a second time. Marked only once the telling went
 * through (the cache outdated, every screen's instance told), and not for events whose charts follow (those are
 * told again anyway). An outbox delivery that arrives before the mark tells twice: harmless, one more refetch.
 */
async function tellAtCommit(events: CommittedEvent[], deps: ConsumerDeps): Promise<void> {
  if (!(await tellOpenScreens(events, deps, () => false))) return;
  const cache = deps.services.cache;
  const marked = events.filter((e) => e.id !== null && changesDashboard(e.type) && !chartsFollow(e.type));
  await Promise.all(marked.map((e) => cache.set(cacheKeys.liveTold(e.id!), 1, { ttlSeconds: TOLD_SECONDS })));
}

/** The outbox's events not already told at their commit (when the cache cannot say, all of them: told twice). */
async function notToldYet(events: StoredEvent[], { services }: ConsumerDeps): Promise<StoredEvent[]> {
  const marks = await services.cache.getMany<unknown[]>(events.map((e) => cacheKeys.liveTold(e.id)));
  return events.filter((_, i) => marks[i] === undefined);
}

/** How long a worker gathers deliveries into one change: a bulk decision's events arrive together. */
const GATHER_MS = 20;
const gathering = new Map<ConsumerDeps['services'], { events: StoredEvent[]; told: Promise<void> }>();

/** A delivery joins the others arriving within GATHER_MS; the job ends once their one change is told. */
function tellTogether(event: StoredEvent, deps: ConsumerDeps): Promise<void> {
  const open = gathering.get(deps.services);
  if (open) {
    open.events.push(event);
    return open.told;
  }
  const batch = { events: [event], told: Promise.resolve() };
  batch.told = new Promise<void>((resolve) => setTimeout(resolve, GATHER_MS)).then(async () => {
    gathering.delete(deps.services);
    const untold = await notToldYet(batch.events, deps);
    // From the outbox, background work and the charts' figures are eventual changes (readers never wait for them);
    // a change its caller did not get to tell is outdated at once.
    if (untold.length > 0) await tellOpenScreens(untold, deps, (type) => EVENTUAL.has(type) || chartsFollow(type));
  });
  gathering.set(deps.services, batch);
  return batch.told;
}

/**
 * Outdates the dashboard cache and tells open screens (dashboards, count progress), for every instance: right
 * after the caller's commit, and from the outbox for changes made in the background, for the charts' figures the
 * delivery wrote, and for a caller that died before telling (an event told at its commit whose figures were all
 * written then is not told again). Idempotent.
 */
export const liveAndCacheConsumer: Consumer = {
  name: 'live-and-cache',
  handles: changesDashboard,
  after: tellTogether,
  onCommit: { handles: (type) => (changesDashboard(type) && !EVENTUAL.has(type)) || type === 'inventory.progressed', run: tellAtCommit },
};
