ALTER TABLE "receipts" ADD COLUMN "products" integer;--> statement-breakpoint
ALTER TABLE "receipts" ADD COLUMN "excess_products" integer;--> statement-breakpoint
ALTER TABLE "receipts" ADD COLUMN "unknown_codes" integer;--> statement-breakpoint
ALTER TABLE "receipts" ADD COLUMN "partial_items" integer;--> statement-breakpoint
CREATE INDEX "receipts_store_closed_idx" ON "receipts" USING btree ("store_id","closed_at","id") WHERE "receipts"."status" = 'closed';