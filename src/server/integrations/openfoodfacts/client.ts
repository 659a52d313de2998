import { z } from 'zod';
import { type Integration, ServiceUnavailableError } from '../resilience';

/** What the pipeline takes from Open Food Facts: the fields asked for, nothing else. */
export type OffProduct = {
  ean: string;
  name: string | null;
  brand: string | null;
  quantity: string | null;
  category: string | null;
  imageUrl: string | null;
};

/** Open Food Facts answered something that is not its product format: not an outage, not retried. */
export class OffMalformedAnswer extends Error {
  override name = 'OffMalformedAnswer';
}

const FIELDS = ['code', 'product_name', 'product_name_pt', 'brands', 'quantity', 'categories', 'image_front_url', 'image_url'] as const;

const text = z
  .string()
  .nullish()
  .transform((v) => (v?.trim() ? v.trim() : null));
const answer = z.object({
  status: z.union([z.literal(0), z.literal(1)]),
  product: z
    .object({
      product_name: text,
      product_name_pt: text,
      brands: text,
      quantity: text,
      categories: text,
      image_front_url: text,
      image_url: text,
    })
    .partial()
    .optional(),
});

/** The first of a comma-separated list ("Camil, Camil Alimentos" → "Camil"); OFF's categories go from broad to narrow: the last is the product's. */
const first = (list: string | null | undefined) => list?.split(',')[0]?.trim() || null;
const last = (list: string | null | undefined) => list?.split(',').at(-1)?.trim().replace(/^[a-z]{2}:/, '') || null;

export type OpenFoodFacts = {
  /** `interactive`: a person waits for it (a prefill): not spaced behind the pipeline's lookups. */
  lookup(ean: string, opts?: { interactive?: boolean }): Promise<OffProduct | null>;
};

/**
 * Spaces the calls of this process to at most `perMinute` (Open Food Facts asks API clients for at most 100 product
 * reads a minute): each call takes the next free slot and waits for it. 0: no spacing.
 */
function spacing(perMinute: number) {
  let nextSlot = 0;
  return async () => {
    if (perMinute <= 0) return;
    const now = Date.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + 60_000 / perMinute;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  };
}

/**
 * Open Food Facts' product API v2 (`GET /api/v2/product/{barcode}?fields=…`), through its integration's policy.
 * Unknown barcode: null. 5xx, 429 and unreachable: ServiceUnavailableError (retried, counted by the breaker). An
 * answer that is not OFF's format: OffMalformedAnswer. The User-Agent names the app and a contact, and the
 * pipeline's lookups are spaced to OPENFOODFACTS_MAX_PER_MINUTE, as OFF asks.
 */
export function createOpenFoodFacts(opts: { baseUrl: string; userAgent: string; integration: Integration; maxPerMinute: number }): OpenFoodFacts {
  const waitForSlot = spacing(opts.maxPerMinute);
  return {
    lookup: async (ean, lookupOpts = {}) => {
      if (!lookupOpts.interactive) await waitForSlot();
      return opts.integration.execute(async (signal) => {
        const url = `${opts.baseUrl}/api/v2/product/${encodeURIComponent(ean)}?fields=${FIELDS.join(',')}`;
        let response: Response;
        try {
          response = await fetch(url, { headers: { 'user-agent': opts.userAgent, accept: 'application/json' }, signal });
        } catch (error) {
          if (signal.aborted) throw error;
          throw new ServiceUnavailableError('openfoodfacts', `Open Food Facts unreachable: ${(error as Error).message}`);
        }
        if (response.status === 429 || response.status >= 500) {
          await response.body?.cancel();
          throw new ServiceUnavailableError('openfoodfacts', `Open Food Facts answered ${response.status}`);
        }
        let body: unknown;
        try {
          body = await response.json();
        } catch {
          throw new OffMalformedAnswer(`Open Food Facts answered ${response.status} with a body that is not JSON`);
        }
        // An unknown barcode is a 404 with status 0 (older deployments: 200 with status 0).
        const parsed = answer.safeParse(body);
        if (!parsed.success) {
          if (response.status === 404) return null;
          throw new OffMalformedAnswer(`Open Food Facts answered a body that is not a product: ${parsed.error.issues[0]?.message}`);
        }
        if (parsed.data.status === 0 || !parsed.data.product) return null;
        const p = parsed.data.product;
        return {
          ean,
          name: p.product_name_pt ?? p.product_name ?? null,
          brand: first(p.brands),
          quantity: p.quantity ?? null,
          category: last(p.categories),
          imageUrl: p.image_front_url ?? p.image_url ?? null,
        };
      });
    },
  };
}
