CREATE TABLE "openai_usage" (
	"org_id" uuid NOT NULL,
	"day" date NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"prompt_tokens" bigint DEFAULT 0 NOT NULL,
	"completion_tokens" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "openai_usage_org_id_day_pk" PRIMARY KEY("org_id","day")
);
--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "image_key" text;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "image_source" text;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "image_review_reason" text;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "image_reasons" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "image_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "openai_usage" ADD CONSTRAINT "openai_usage_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "products_image_pending_idx" ON "products" USING btree ("org_id") WHERE "products"."image_status" = 'pending';--> statement-breakpoint
CREATE INDEX "products_image_review_idx" ON "products" USING btree ("org_id","created_at","id") WHERE "products"."image_status" = 'manual_review';--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_image_key_shape" CHECK ("products"."image_key" is null or "products"."image_key" ~ '^[a-z0-9/-]+$');