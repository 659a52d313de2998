ALTER TABLE "store_stock" ADD COLUMN "name_key" text collate "C";--> statement-breakpoint
ALTER TABLE "store_stock" ADD COLUMN "search_words" text;--> statement-breakpoint
-- With the search words (INCLUDE): a store's search filters index entries, not a row per product the store holds.
CREATE INDEX "store_stock_store_name_idx" ON "store_stock" USING btree ("store_id","name_key","product_id") INCLUDE ("search_words");--> statement-breakpoint
-- The product's name key and search words, copied into each store's stock row: a store's stock pages in name order
-- and searches from store_stock_store_name_idx instead of joining and sorting every product the store holds.
UPDATE "store_stock" s SET "name_key" = p."name_key", "search_words" = p."search_words" FROM "products" p WHERE p."id" = s."product_id";--> statement-breakpoint
-- New rows (a product's first movement in a store): filled once per statement, so the ledger's upserts pay nothing
-- for rows that already exist (ON CONFLICT DO UPDATE rows are not in an INSERT's transition table).
CREATE FUNCTION "store_stock_copy_product"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE store_stock s SET name_key = p.name_key, search_words = p.search_words
    FROM new_rows n JOIN products p ON p.id = n.product_id
   WHERE s.store_id = n.store_id AND s.product_id = n.product_id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "store_stock_copy_product" AFTER INSERT ON "store_stock" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "store_stock_copy_product"();--> statement-breakpoint
-- A renamed product (or a new brand or category): its stock rows in every store follow.
CREATE FUNCTION "products_copy_to_store_stock"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE store_stock s SET name_key = n.name_key, search_words = n.search_words
    FROM new_products n JOIN old_products o ON o.id = n.id
   WHERE s.product_id = n.id AND (n.name_key IS DISTINCT FROM o.name_key OR n.search_words IS DISTINCT FROM o.search_words);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "products_copy_to_store_stock" AFTER UPDATE ON "products" REFERENCING OLD TABLE AS old_products NEW TABLE AS new_products FOR EACH STATEMENT EXECUTE FUNCTION "products_copy_to_store_stock"();--> statement-breakpoint
ANALYZE "store_stock";
