ALTER TABLE "store_stock" ADD COLUMN "name_key" text collate "C";--> statement-breakpoint
ALTER TABLE "store_stock" ADD COLUMN "search_words" text;--> statement-breakpoint
-- The product's name key and search words, copied into each store's stock row: a store's stock pages in name order
-- and searches from store_stock_store_name_idx instead of joining and sorting every product the store holds.
UPDATE "store_stock" s SET "name_key" = p."name_key", "search_words" = p."search_words" FROM "products" p WHERE p."id" = s."product_id";--> statement-breakpoint
-- New rows (a product's first movement in a store): filled once per statement, so the ledger's upserts pay nothing
-- for rows that already exist (ON CONFLICT DO UPDATE rows are not in an INSERT's transition table). Renames are copied
-- by the workers after the catalogue's commit (src/server/stock/consumers.ts), in short transactions, never inside the
-- catalogue's own (an import renaming thousands would hold every store's rows of them).
CREATE FUNCTION "store_stock_copy_product"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE store_stock s SET name_key = p.name_key, search_words = p.search_words
    FROM new_rows n JOIN products p ON p.id = n.product_id
   WHERE s.store_id = n.store_id AND s.product_id = n.product_id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "store_stock_copy_product" AFTER INSERT ON "store_stock" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "store_stock_copy_product"();--> statement-breakpoint
-- After the backfill (an index built once, not maintained row by row). With the search words (INCLUDE): a store's
-- search filters index entries, not a row per product the store holds.
CREATE INDEX "store_stock_store_name_idx" ON "store_stock" USING btree ("store_id","name_key","product_id") INCLUDE ("search_words");--> statement-breakpoint
ANALYZE "store_stock";
