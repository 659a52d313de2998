ALTER TABLE "receipt_entries" DROP CONSTRAINT "receipt_entries_quantity_nonzero";--> statement-breakpoint
ALTER TABLE "receipt_entries" ADD COLUMN "replaces" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "receipt_entries_replaces_idx" ON "receipt_entries" USING btree ("replaces");--> statement-breakpoint
ALTER TABLE "receipt_entries" ADD CONSTRAINT "receipt_entries_quantity_nonzero" CHECK ("receipt_entries"."quantity" <> 0 or "receipt_entries"."replaces" is not null);