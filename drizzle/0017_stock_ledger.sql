CREATE TYPE "public"."stock_movement_kind" AS ENUM('opening', 'import', 'receipt', 'count_adjustment', 'manual_adjustment', 'transfer_out', 'transfer_in', 'loss');--> statement-breakpoint
CREATE TABLE "stock_movements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"quantity" numeric(14, 3) NOT NULL,
	"kind" "stock_movement_kind" NOT NULL,
	"reason" text,
	"operation_id" uuid NOT NULL,
	"reference_type" text,
	"reference_id" uuid,
	"balance_after" numeric(14, 3) NOT NULL,
	"user_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	CONSTRAINT "stock_movements_quantity_nonzero" CHECK ("stock_movements"."quantity" <> 0)
);
--> statement-breakpoint
ALTER TABLE "inventory_sessions" ADD COLUMN "stock_snapshot" text;--> statement-breakpoint
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_org_id_store_id_stores_org_id_id_fk" FOREIGN KEY ("org_id","store_id") REFERENCES "public"."stores"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_org_id_product_id_products_org_id_id_fk" FOREIGN KEY ("org_id","product_id") REFERENCES "public"."products"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "stock_movements_operation_unique" ON "stock_movements" USING btree ("operation_id","store_id","product_id","kind");--> statement-breakpoint
CREATE INDEX "stock_movements_history_idx" ON "stock_movements" USING btree ("store_id","product_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "stock_movements_store_txid_idx" ON "stock_movements" USING btree ("store_id","txid");--> statement-breakpoint
-- The balances stores had before the ledger: one `opening` movement each, so balance = sum of movements from here on.
INSERT INTO "stock_movements" ("org_id", "store_id", "product_id", "quantity", "kind", "operation_id", "balance_after")
SELECT "org_id", "store_id", "product_id", "quantity", 'opening', '00000000-0000-4000-8000-000000000017', "quantity"
  FROM "store_stock" WHERE "quantity" <> 0 ORDER BY "store_id", "product_id";
