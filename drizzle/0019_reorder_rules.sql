CREATE TABLE "reorder_rules" (
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"min_quantity" numeric(14, 3) NOT NULL,
	"reorder_quantity" numeric(14, 3) NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reorder_rules_store_id_product_id_pk" PRIMARY KEY("store_id","product_id"),
	CONSTRAINT "reorder_rules_min_non_negative" CHECK ("reorder_rules"."min_quantity" >= 0),
	CONSTRAINT "reorder_rules_reorder_positive" CHECK ("reorder_rules"."reorder_quantity" > 0)
);
--> statement-breakpoint
ALTER TABLE "reorder_rules" ADD CONSTRAINT "reorder_rules_org_id_store_id_stores_org_id_id_fk" FOREIGN KEY ("org_id","store_id") REFERENCES "public"."stores"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reorder_rules" ADD CONSTRAINT "reorder_rules_org_id_product_id_products_org_id_id_fk" FOREIGN KEY ("org_id","product_id") REFERENCES "public"."products"("org_id","id") ON DELETE no action ON UPDATE no action;