-- Word search anywhere in name, brand and category, accent- and case-insensitive: trigrams over an unaccented text.
-- unaccent() is only STABLE (its dictionary could change), so generated columns use an IMMUTABLE wrapper that
-- names the dictionary explicitly.
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;--> statement-breakpoint
CREATE OR REPLACE FUNCTION immutable_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT public.unaccent('public.unaccent'::regdictionary, $1)
$$;--> statement-breakpoint
DROP INDEX "products_org_name_idx";--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "name_key" text GENERATED ALWAYS AS (immutable_unaccent(lower(name))) STORED;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "search_text" text GENERATED ALWAYS AS (immutable_unaccent(lower(name || ' ' || coalesce(brand, '') || ' ' || coalesce(category, '')))) STORED;--> statement-breakpoint
CREATE INDEX "products_org_name_key_idx" ON "products" USING btree ("org_id",("name_key" collate "C"),"id");--> statement-breakpoint
CREATE INDEX "products_search_trgm_idx" ON "products" USING gin ("search_text" public.gin_trgm_ops);