import { findStore, storesByIds } from '../accounts/queries/stores';
import { writeAudit } from '../audit/audit';
import { cacheKeys, ENTITY_TTL_SECONDS } from '../cache/keys';
import type { SignedInContext } from '../domain/context';
import { inTransaction } from '../domain/transaction';
import { AppError, notFound } from '../errors';
import type { Services } from '../services';
import { featureFlagDefinitions, featureFlagNames, type FeatureFlag } from './definitions';
import { deleteFlagRow, flagRowsOf, lockFlagRow, saveFlagRow, type FlagRow } from './queries';

/** An org's choices, from the cache (a change deletes the entry: consumer.ts), or one small query. */
const choicesOf = (services: Pick<Services, 'cache' | 'db'>, orgId: string) =>
  services.cache.getOrSet<FlagRow[]>(cacheKeys.featureFlags(orgId), () => flagRowsOf(services.db, orgId), { ttlSeconds: ENTITY_TTL_SECONDS });

function resolve(rows: FlagRow[], flag: FeatureFlag, storeId: string | null | undefined): boolean {
  const definition = featureFlagDefinitions[flag];
  const store = storeId && definition.perStore ? rows.find((r) => r.flag === flag && r.storeId === storeId) : undefined;
  const org = rows.find((r) => r.flag === flag && r.storeId === null);
  return store?.enabled ?? org?.enabled ?? definition.default;
}

/**
 * Whether a feature is on for an org (and one of its stores, for a flag stores may differ on): the store's choice,
 * else the org's, else the flag's default. The one way code reads a flag.
 */
export async function featureEnabled(services: Pick<Services, 'cache' | 'db'>, orgId: string, flag: FeatureFlag, storeId?: string | null): Promise<boolean> {
  return resolve(await choicesOf(services, orgId), flag, storeId);
}

/** The admin page: every flag, its default, the org's choice and the stores' (the stores of the org only). */
export async function listFlags(ctx: SignedInContext) {
  const rows = await flagRowsOf(ctx.db, ctx.principal.orgId);
  // The stores that have a choice, named (of the org only: a row is never another org's).
  const named = await storesByIds(ctx.db, ctx.principal.orgId, [...new Set(rows.flatMap((r) => (r.storeId ? [r.storeId] : [])))]);
  return featureFlagNames.map((flag) => {
    const definition = featureFlagDefinitions[flag];
    const org = rows.find((r) => r.flag === flag && r.storeId === null);
    return {
      flag,
      default: definition.default,
      perStore: definition.perStore,
      /** The org's choice (null: the default applies). */
      org: org ? { enabled: org.enabled, updatedAt: org.updatedAt } : null,
      enabled: resolve(rows, flag, null),
      stores: definition.perStore
        ? rows
            .filter((r) => r.flag === flag && r.storeId !== null && named.has(r.storeId))
            .map((r) => ({ storeId: r.storeId!, code: named.get(r.storeId!)!.code, name: named.get(r.storeId!)!.name, enabled: r.enabled, updatedAt: r.updatedAt }))
            .sort((a, b) => a.name.localeCompare(b.name, 'pt-BR'))
        : [],
    };
  });
}

/**
 * An admin's choice for a flag, for the org or one store (`enabled` null: no choice, the default or the org's
 * applies again). The same choice again changes nothing and writes nothing; a change is audited and outdates every
 * instance's cached choices (consumer.ts).
 */
export async function setFlag(ctx: SignedInContext, input: { flag: FeatureFlag; storeId: string | null; enabled: boolean | null }) {
  const orgId = ctx.principal.orgId;
  const definition = featureFlagDefinitions[input.flag];
  if (input.storeId && !definition.perStore) {
    throw new AppError('INVALID', 'flag_not_per_store', `${input.flag} is chosen for the whole organization, not per store`, { field: 'storeId' });
  }
  return inTransaction(ctx, async (tx, emit) => {
    if (input.storeId && !(await findStore(tx, orgId, input.storeId))) throw notFound('store', { field: 'storeId' });
    const before = await lockFlagRow(tx, orgId, input.flag, input.storeId);
    const after = input.enabled ?? undefined;
    if (before === after) return { flag: input.flag, storeId: input.storeId, enabled: input.enabled, changed: false };
    if (after === undefined) await deleteFlagRow(tx, orgId, input.flag, input.storeId);
    else await saveFlagRow(tx, { orgId, flag: input.flag, storeId: input.storeId, enabled: after, updatedBy: ctx.principal.userId });
    await writeAudit(tx, ctx.actor, {
      action: 'feature_flag.changed',
      entityType: 'feature_flag',
      entityId: input.storeId ? `${input.flag}:${input.storeId}` : input.flag,
      before: { enabled: before ?? null, storeId: input.storeId },
      after: { enabled: input.enabled, storeId: input.storeId },
    });
    await emit([{ type: 'featureFlag.changed', orgId, aggregateId: `${orgId}:${input.flag}`, payload: { flag: input.flag, storeId: input.storeId, enabled: input.enabled } }]);
    return { flag: input.flag, storeId: input.storeId, enabled: input.enabled, changed: true };
  });
}
