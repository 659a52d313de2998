import { sql } from 'drizzle-orm';
import { boolean, check, customType, foreignKey, index, pgEnum, pgTable, primaryKey, real, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, money, orgId, updatedAt } from './_columns';
import { organizations } from './organizations';
import { users } from './users';

export const imageStatuses = ['pending', 'processing', 'approved', 'manual_review', 'rejected'] as const;
export const imageStatus = pgEnum('image_status', imageStatuses);
/** Where the product's photo came from. */
export const imageSources = ['openfoodfacts', 'url', 'upload'] as const;
/**
 * Why a product waits in manual review (or was rejected): the service that could not judge it, or what was wrong.
 * `scoring_unavailable` and `budget_exceeded` are re-scored by the pipeline when it can.
 */
export const imageReviewReasons = [
  'low_score',
  'scoring_unavailable',
  'scoring_not_configured',
  /** The org switched automatic scoring off (feature flag `imageScoring`). */
  'scoring_off',
  'scoring_invalid',
  'budget_exceeded',
  'not_found',
  'no_image',
  'image_invalid',
  'image_too_large',
  'download_failed',
  'rejected',
] as const;
export type ImageReviewReason = (typeof imageReviewReasons)[number];

export const products = pgTable(
  'products',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId().references(() => organizations.id, { onDelete: 'cascade' }),
    ean: text().notNull(),
    name: text().notNull(),
    brand: text(),
    category: text(),
    unit: text().notNull().default('un'),
    referencePrice: money().notNull().default(0),
    /** Price-lookup code printed by store scales on variable-weight labels. */
    plu: text(),
    buyerId: uuid(),
    imageUrl: text(),
    imageStatus: imageStatus().notNull().default('pending'),
    imageScore: real(),
    /**
     * The storage prefix of the product's photo (candidate or approved): `<key>/original`, `<key>/512.webp`,
     * `<key>/128.webp`. A new photo gets a new random key, so a URL naming the key can be cached for ever.
     */
    imageKey: text(),
    imageSource: text({ enum: imageSources }),
    imageReviewReason: text({ enum: imageReviewReasons }),
    /** The scorer's or the pipeline's reasons, for the person who reviews. */
    imageReasons: text().array().notNull().default(sql`'{}'::text[]`),
    imageCheckedAt: timestamp({ withTimezone: true }),
    active: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** The name as search and sorting see it: lower case, no accents ("Água" sorts and matches as "agua"). */
    nameKey: text().generatedAlwaysAs(sql`immutable_unaccent(lower(name))`),
    /**
     * The words of name, brand and category as search sees them (`search_words()`, migration 0012: lower case, no
     * accents, split on what is not a letter or digit), each after a space: ' arroz camil 5kg 5 kg mercearia '.
     * A trigger copies them into product_search_words; a candidate is checked against them with LIKE '% word%'.
     */
    searchWords: text().generatedAlwaysAs(sql`search_words(name || ' ' || coalesce(brand, '') || ' ' || coalesce(category, ''))`),
  },
  (t) => [
    // Seed Sprint 5.2 idx_products_ean, per org: the scanner's exact lookup.
    uniqueIndex('products_org_ean_unique').on(t.orgId, t.ean),
    unique('products_org_id_unique').on(t.orgId, t.id),
    uniqueIndex('products_org_plu_unique').on(t.orgId, t.plu).where(sql`${t.plu} is not null`),
    // Name-prefix search and the list's keyset order: C collation so LIKE 'abc%' and ORDER BY use the same index.
    index('products_org_name_key_idx').on(t.orgId, sql`(${t.nameKey} collate "C")`, t.id),
    index('products_org_buyer_idx').on(t.orgId, t.buyerId),
    // The org's products in the image pipeline (its admin's queue page); few rows at any time.
    index('products_image_processing_idx').on(t.orgId).where(sql`${t.imageStatus} = 'processing'`),
    // Products never sent through the pipeline (the admin's "find photos" and its count).
    index('products_image_pending_idx').on(t.orgId).where(sql`${t.imageStatus} = 'pending'`),
    // The manual review queue, oldest first.
    index('products_image_review_idx').on(t.orgId, t.createdAt, t.id).where(sql`${t.imageStatus} = 'manual_review'`),
    foreignKey({ columns: [t.orgId, t.buyerId], foreignColumns: [users.orgId, users.id] }),
    check('products_ean_13_digits', sql`${t.ean} ~ '^[0-9]{13}$'`),
    check('products_reference_price_non_negative', sql`${t.referencePrice} >= 0`),
    check('products_plu_digits', sql`${t.plu} is null or ${t.plu} ~ '^[0-9]{4,6}$'`),
    check('products_image_key_shape', sql`${t.imageKey} is null or ${t.imageKey} ~ '^[a-z0-9/-]+$'`),
    check('products_image_score_range', sql`${t.imageScore} is null or (${t.imageScore} >= 0 and ${t.imageScore} <= 1)`),
  ],
);

/** Text compared byte by byte: the order of the index and of `>`/`<` in its range scans is the C collation's. */
/** Text in byte order (collation "C"): name keys compare and index the same everywhere. */
export const textC = customType<{ data: string }>({ dataType: () => 'text collate "C"' });

/**
 * Product search's word index: one row per product and word of its name, brand or category (products.search_words),
 * written only by the products triggers of migration 0012 (insert, update, delete, truncate), never by the app.
 * In key order a word's products come by name, so a page of a word's matches in name order is a short index range.
 */
export const productSearchWords = pgTable(
  'product_search_words',
  {
    orgId: orgId(),
    word: textC().notNull(),
    /** products.name_key: the catalogue's name order. */
    nameKey: textC().notNull(),
    productId: uuid().notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.word, t.nameKey, t.productId] })],
);

/** Default buyer for every product of a category that has no buyer of its own. */
export const categoryBuyers = pgTable(
  'category_buyers',
  {
    orgId: orgId(),
    category: text().notNull(),
    buyerId: uuid().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.category] }),
    foreignKey({ columns: [t.orgId, t.buyerId], foreignColumns: [users.orgId, users.id] }).onDelete('cascade'),
  ],
);
