import { randomUUID } from 'node:crypto';
import type { ImageReviewReason } from '../db/schema';
import type { DomainContext } from '../domain/context';
import { inTransaction } from '../domain/transaction';
import { OutboundRefused, safeFetch } from '../integrations/http/safe-fetch';
import { OffMalformedAnswer, type OffProduct } from '../integrations/openfoodfacts/client';
import { featureEnabled } from '../flags/flags';
import { ScoringInvalid, ScoringRefused } from '../integrations/openai/scorer';
import { isBulkheadRejectedError } from 'cockatiel';
import { type IntegrationName, isServiceDown, ServiceUnavailableError } from '../integrations/resilience';
import { PhotoRejected, preparePhoto } from './photo';
import { decideImage, enrichProduct, findImageState, RESCORABLE, recordUsage, setCandidate, tokensUsedToday } from './queries';
import { deletePhoto, photoKeys, storePhoto } from './keys';

/** What a job carries from one run to the next (BullMQ job data): the steps already done. */
export type ImageJobState = {
  /** Open Food Facts was asked (found or not): not asked again. */
  looked?: boolean;
  off?: Pick<OffProduct, 'imageUrl' | 'quantity'> | null;
  /** The key the candidate is stored under, chosen once per job: a run after a failed upload writes the same files. */
  pendingKey?: string;
  /** The stored candidate awaiting its score. */
  candidateKey?: string;
};
export type ImageJob = { orgId: string; productId: string; ean: string } & ImageJobState;

export type PipelineOutcome =
  | { kind: 'skipped'; why: 'missing' | 'ean_changed' | 'decided' }
  | { kind: 'decided'; status: 'approved' | 'manual_review'; reason: ImageReviewReason | null }
  /** A service is down or saturated: the job waits (delayed, no attempt spent) until `until`, then runs again. */
  | { kind: 'wait'; service: IntegrationName; until: Date; why: string };


/**
 * The image pipeline for one product (the seed's `/api/images/pipeline`): Open Food Facts by EAN (fills the brand
 * and category the person left empty; the photo's address) → the photo downloaded under the outbound policy
 * (https, public addresses, size and time caps) → checked and reduced (photo.ts) → stored (original, 512 and
 * 128 px WebP) → scored by OpenAI against the product's name, brand and size, within the org's daily token budget
 * → `approved` at or above OPENAI_APPROVE_SCORE, else `manual_review` with the reasons. `image.processed` carries
 * each decision. A service that is down never fails the product: the job waits for it (OpenAI: the product is in
 * review meanwhile, `scoring_unavailable`, and is re-scored when OpenAI answers again, unless a person decided).
 * `remember` keeps what is done in the job, so a run after a wait starts where the last one stopped.
 */
export async function processProductImage(ctx: DomainContext, job: ImageJob, remember: (state: ImageJobState) => Promise<void>): Promise<PipelineOutcome> {
  const { services } = ctx;
  const { env } = services;
  const product = await findImageState(ctx.db, job.orgId, job.productId);
  if (!product) return { kind: 'skipped', why: 'missing' };
  // The EAN changed after this job was queued: the job of that change looks the new one up.
  if (product.ean !== job.ean) return { kind: 'skipped', why: 'ean_changed' };
  const rescoring =
    product.imageStatus === 'manual_review' && product.imageReviewReason !== null && RESCORABLE.includes(product.imageReviewReason) && product.imageKey !== null && product.imageKey === job.candidateKey;
  if (product.imageStatus !== 'processing' && product.imageStatus !== 'pending' && !rescoring) return { kind: 'skipped', why: 'decided' };

  const decide = (status: 'approved' | 'manual_review', reason: ImageReviewReason | null, reasons: string[], score: number | null, candidateKey: string | null, usage?: { promptTokens: number; completionTokens: number }) =>
    inTransaction(ctx, async (tx, emit) => {
      const decided = await decideImage(tx, job.orgId, job.productId, candidateKey, { status, reason, reasons, score });
      if (decided) await emit([{ type: 'image.processed', orgId: job.orgId, aggregateId: job.productId, payload: { productId: job.productId, status, score, ...(reason ? { reason } : {}) } }]);
      // The tokens were spent either way. Last: the org's one usage row for the day stays locked only to the commit.
      if (usage) await recordUsage(tx, job.orgId, usage);
      return decided ? ({ kind: 'decided', status, reason } as const) : ({ kind: 'skipped', why: 'decided' } as const);
    });
  const wait = (service: IntegrationName, error: unknown): PipelineOutcome => {
    const integration = services.integrations.get(service);
    return { kind: 'wait', service, until: integration?.retryAt() ?? new Date(Date.now() + 30_000), why: `${service} unavailable: ${(error as Error).message}` };
  };

  // 1. Open Food Facts: once per job.
  let state: ImageJobState = { looked: job.looked, off: job.off, pendingKey: job.pendingKey, candidateKey: job.candidateKey };
  let offNote: string | null = null;
  if (!state.looked && services.openFoodFacts) {
    let found: OffProduct | null;
    try {
      found = await services.openFoodFacts.lookup(product.ean);
    } catch (error) {
      if (isServiceDown(error)) return wait('openfoodfacts', error);
      if (!(error instanceof OffMalformedAnswer)) throw error;
      ctx.logger.warn({ err: error, productId: product.id }, 'Open Food Facts answered an unreadable body; the product is kept as typed');
      found = null;
      offNote = 'O Open Food Facts respondeu algo ilegível para este EAN';
    }
    if (found && (found.brand || found.category)) {
      // A change like a person's (its event drops the cached lookups and lists), made by the system.
      const enriched = await inTransaction(ctx, async (tx, emit) => {
        const changed = await enrichProduct(tx, job.orgId, job.productId, found);
        if (changed.length > 0) await emit([{ type: 'product.updated', orgId: job.orgId, aggregateId: job.productId, payload: { productId: job.productId, ean: product.ean, changed } }]);
        return changed;
      });
      if (enriched.length > 0) ctx.logger.info({ productId: product.id, enriched }, 'product completed from Open Food Facts');
    }
    state = { ...state, looked: true, off: found ? { imageUrl: found.imageUrl, quantity: found.quantity } : null };
    await remember(state);
  }

  // 2. The candidate photo: downloaded, checked, reduced, stored (unless an earlier run did).
  // Stored by an earlier run (which may have stopped before it could remember so).
  const stored = [state.candidateKey, state.pendingKey].find((k) => k && product.imageKey === k);
  let candidateKey = stored ?? null;
  if (!candidateKey) {
    const source = product.imageUrl ? ('url' as const) : state.off?.imageUrl ? ('openfoodfacts' as const) : null;
    const url = product.imageUrl ?? state.off?.imageUrl ?? null;
    if (!source || !url) {
      if (!services.openFoodFacts) return decide('manual_review', 'no_image', ['Sem foto: envie uma foto do produto'], null, null);
      return state.off === null
        ? decide('manual_review', 'not_found', [offNote ?? 'EAN não encontrado no Open Food Facts'], null, null)
        : decide('manual_review', 'no_image', ['O Open Food Facts não tem foto deste produto'], null, null);
    }
    let bytes: Buffer;
    try {
      bytes = await download(ctx, url, source);
    } catch (error) {
      if (source === 'openfoodfacts' && isServiceDown(error)) return wait('openfoodfacts', error);
      if (error instanceof PhotoNotServed) return decide('manual_review', 'download_failed', [error.message], null, null);
      const refused = error instanceof OutboundRefused ? error : null;
      if (!refused) throw error;
      const reason: ImageReviewReason = refused.reason === 'too_large' ? 'image_too_large' : refused.reason === 'timeout' || refused.reason === 'unreachable' ? 'download_failed' : 'image_invalid';
      return decide('manual_review', reason, [refused.message], null, null);
    }
    let photo;
    try {
      photo = await preparePhoto(bytes, { maxPixels: env.IMAGE_MAX_PIXELS });
    } catch (error) {
      if (error instanceof PhotoRejected) return decide('manual_review', error.reason, [error.message], null, null);
      throw error;
    }
    const key = state.pendingKey ?? `products/${job.orgId}/${job.productId}/${randomUUID()}`;
    if (!state.pendingKey) {
      state = { ...state, pendingKey: key };
      await remember(state);
    }
    try {
      await storePhoto(services.storage, key, photo);
    } catch (error) {
      if (isServiceDown(error)) return wait('storage', error);
      throw error;
    }
    const replaced = await inTransaction(ctx, (tx) => setCandidate(tx, job.orgId, job.productId, key, source));
    if (!replaced) {
      await deleteQuietly(ctx, key);
      return { kind: 'skipped', why: 'decided' };
    }
    if (replaced.previousKey && replaced.previousKey !== key) await deleteQuietly(ctx, replaced.previousKey);
    candidateKey = key;
    state = { ...state, candidateKey };
    await remember(state);
  }

  // 3. The score.
  const scorer = services.scorer;
  if (!scorer) return decide('manual_review', 'scoring_not_configured', ['Análise automática desligada (sem chave da OpenAI)'], null, candidateKey);
  if (!(await featureEnabled(services, job.orgId, 'imageScoring'))) return decide('manual_review', 'scoring_off', ['Análise automática desligada pela administração'], null, candidateKey);
  if ((await tokensUsedToday(ctx.db, job.orgId)) >= env.OPENAI_DAILY_TOKEN_BUDGET) {
    // In review once (a later day still over budget waits again without a second decision).
    if (!rescoring || product.imageReviewReason !== 'budget_exceeded') {
      const outcome = await decide('manual_review', 'budget_exceeded', ['Limite diário de análise automática atingido; a foto será analisada amanhã'], null, candidateKey);
      if (outcome.kind === 'skipped') return outcome;
    }
    return { kind: 'wait', service: 'openai', until: nextUtcDay(), why: 'daily OpenAI token budget spent' };
  }
  const large = await services.storage.get(photoKeys(candidateKey).large).catch((error: unknown) => {
    if (isServiceDown(error)) return error as Error;
    throw error;
  });
  if (large instanceof Error) return wait('storage', large);
  if (!large) return decide('manual_review', 'image_invalid', ['A foto armazenada não foi encontrada'], null, candidateKey);
  try {
    const { verdict, usage } = await scorer.score({ ean: product.ean, name: product.name, brand: product.brand, quantity: state.off?.quantity ?? null, image: large.body, imageType: 'image/webp' });
    const approved = verdict.matches && verdict.usable && verdict.score >= env.OPENAI_APPROVE_SCORE;
    return await decide(approved ? 'approved' : 'manual_review', approved ? null : 'low_score', verdict.reasons, verdict.score, candidateKey, usage);
  } catch (error) {
    // Every call slot taken and the queue full while OpenAI answers: busy, not down; try again in a moment.
    if (isBulkheadRejectedError(error)) return { kind: 'wait', service: 'openai', until: new Date(Date.now() + 1_000), why: 'OpenAI calls all busy' };
    if (isServiceDown(error)) {
      // In review at once (a person may decide meanwhile), and scored again when OpenAI answers.
      if (!rescoring || product.imageReviewReason !== 'scoring_unavailable') {
        const outcome = await decide('manual_review', 'scoring_unavailable', ['Análise automática indisponível; a foto será analisada quando voltar'], null, candidateKey);
        if (outcome.kind === 'skipped') return outcome;
      }
      return wait('openai', error);
    }
    if (error instanceof ScoringInvalid) return decide('manual_review', 'scoring_invalid', [error.message], null, candidateKey);
    if (error instanceof ScoringRefused) {
      ctx.logger.error({ err: error }, 'OpenAI refused the scoring call: check OPENAI_API_KEY and OPENAI_MODEL');
      return decide('manual_review', 'scoring_unavailable', ['Análise automática recusada pela OpenAI (configuração)'], null, candidateKey);
    }
    throw error;
  }
}

/** The photo's address answered, without the photo (404, 403…): the photo is missing, the host is not down. */
class PhotoNotServed extends Error {
  override name = 'PhotoNotServed';
}

/** A photo's bytes. From Open Food Facts' image host: through its policy (an outage there is OFF's outage). */
async function download(ctx: DomainContext, url: string, source: 'openfoodfacts' | 'url'): Promise<Buffer> {
  const { env, integrations } = ctx.services;
  const fetchOnce = async (signal?: AbortSignal) => {
    const response = await safeFetch(url, {
      maxBytes: env.IMAGE_MAX_BYTES,
      timeoutMs: env.IMAGE_DOWNLOAD_TIMEOUT_MS,
      allowedHosts: env.IMAGE_ALLOWED_HOSTS,
      headers: { 'user-agent': env.OPENFOODFACTS_USER_AGENT, accept: 'image/*' },
      signal,
    });
    if (source === 'openfoodfacts' && (response.status === 429 || response.status >= 500)) {
      throw new ServiceUnavailableError('openfoodfacts', `Open Food Facts' image host answered ${response.status}`);
    }
    if (response.status !== 200) throw new PhotoNotServed(`The photo's address answered ${response.status}`);
    return response.body;
  };
  const off = integrations.get('openfoodfacts');
  if (source !== 'openfoodfacts' || !off) return fetchOnce();
  return off.execute(async (signal) => {
    try {
      return await fetchOnce(signal);
    } catch (error) {
      // A host that does not answer in time, or at all, is down; a refusal of the policy is about the photo.
      if (error instanceof OutboundRefused && (error.reason === 'timeout' || error.reason === 'unreachable')) {
        throw new ServiceUnavailableError('openfoodfacts', error.message);
      }
      throw error;
    }
  });
}

const deleteQuietly = (ctx: DomainContext, key: string) => deletePhoto(ctx.services.storage, key, ctx.logger);

function nextUtcDay(): Date {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1, 0, 5));
}
