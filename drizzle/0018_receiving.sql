CREATE TYPE "public"."receipt_status" AS ENUM('open', 'closed', 'cancelled');--> statement-breakpoint
CREATE TABLE "receipt_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"receipt_id" uuid NOT NULL,
	"ean" text NOT NULL,
	"product_id" uuid,
	"quantity" numeric(14, 3) NOT NULL,
	"scanned_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "receipt_entries_quantity_nonzero" CHECK ("receipt_entries"."quantity" <> 0)
);
--> statement-breakpoint
CREATE TABLE "receipts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"status" "receipt_status" DEFAULT 'open' NOT NULL,
	"note" text,
	"opened_by" uuid NOT NULL,
	"opened_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"closed_by" uuid,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "purchase_request_items" ADD COLUMN "received_quantity" numeric(14, 3) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "receipt_entries" ADD CONSTRAINT "receipt_entries_receipt_id_receipts_id_fk" FOREIGN KEY ("receipt_id") REFERENCES "public"."receipts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "receipt_entries" ADD CONSTRAINT "receipt_entries_org_id_product_id_products_org_id_id_fk" FOREIGN KEY ("org_id","product_id") REFERENCES "public"."products"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "receipts" ADD CONSTRAINT "receipts_org_id_store_id_stores_org_id_id_fk" FOREIGN KEY ("org_id","store_id") REFERENCES "public"."stores"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "receipts" ADD CONSTRAINT "receipts_org_id_opened_by_users_org_id_id_fk" FOREIGN KEY ("org_id","opened_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "receipt_entries_receipt_idx" ON "receipt_entries" USING btree ("receipt_id");--> statement-breakpoint
CREATE INDEX "receipts_store_status_idx" ON "receipts" USING btree ("org_id","store_id","status","opened_at" DESC NULLS LAST);