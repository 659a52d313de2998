ALTER TABLE "inventory_sessions" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
ALTER TABLE "inventory_totals" ADD COLUMN "uncounted" text;--> statement-breakpoint
ALTER TABLE "inventory_totals" ADD CONSTRAINT "inventory_totals_uncounted" CHECK ("inventory_totals"."uncounted" is null or "inventory_totals"."uncounted" in ('zeroed', 'kept'));