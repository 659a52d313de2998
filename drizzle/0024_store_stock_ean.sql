ALTER TABLE "store_stock" ADD COLUMN "ean" text collate "C";--> statement-breakpoint
-- The EAN too (a store's stock searched by EAN prefix from its own index: "789" starts nearly every product of the
-- catalogue, and walking the org's products for the few the store holds took 600 ms at 1M products).
UPDATE "store_stock" s SET "ean" = p."ean" FROM "products" p WHERE p."id" = s."product_id";--> statement-breakpoint
CREATE OR REPLACE FUNCTION "store_stock_copy_product"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE store_stock s SET name_key = p.name_key, search_words = p.search_words, ean = p.ean
    FROM new_rows n JOIN products p ON p.id = n.product_id
   WHERE s.store_id = n.store_id AND s.product_id = n.product_id;
  RETURN NULL;
END $$;--> statement-breakpoint
-- After the backfill: an index built once, not maintained row by row.
CREATE INDEX "store_stock_store_ean_idx" ON "store_stock" USING btree ("store_id","ean","product_id");
