CREATE TYPE "public"."user_role" AS ENUM('clerk', 'buyer', 'manager', 'admin');--> statement-breakpoint
CREATE TYPE "public"."image_status" AS ENUM('pending', 'processing', 'approved', 'manual_review', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."purchase_request_item_status" AS ENUM('pending', 'approved', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."purchase_request_status" AS ENUM('draft', 'pending', 'partially_approved', 'approved', 'rejected', 'closed');--> statement-breakpoint
CREATE TYPE "public"."inventory_scope" AS ENUM('full', 'partial');--> statement-breakpoint
CREATE TYPE "public"."inventory_session_status" AS ENUM('open', 'finalized', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."compliance_submission_status" AS ENUM('submitted', 'approved', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."compliance_task_status" AS ENUM('open', 'completed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."push_status" AS ENUM('none', 'queued', 'sending', 'sent', 'failed');--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organizations_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "stores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"city" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stores_org_code_unique" UNIQUE("org_id","code"),
	CONSTRAINT "stores_org_id_unique" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "store_memberships" (
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "store_memberships_user_id_store_id_pk" PRIMARY KEY("user_id","store_id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" "user_role" NOT NULL,
	"password_hash" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_org_id_unique" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"created_by" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_tokens_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "login_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"ip" text,
	"user_agent" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "category_buyers" (
	"org_id" uuid NOT NULL,
	"category" text NOT NULL,
	"buyer_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "category_buyers_org_id_category_pk" PRIMARY KEY("org_id","category")
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"ean" text NOT NULL,
	"name" text NOT NULL,
	"brand" text,
	"category" text,
	"unit" text DEFAULT 'un' NOT NULL,
	"reference_price" numeric(14, 2) DEFAULT 0 NOT NULL,
	"plu" text,
	"buyer_id" uuid,
	"image_url" text,
	"image_status" "image_status" DEFAULT 'pending' NOT NULL,
	"image_score" real,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_org_id_unique" UNIQUE("org_id","id"),
	CONSTRAINT "products_ean_13_digits" CHECK ("products"."ean" ~ '^[0-9]{13}$'),
	CONSTRAINT "products_reference_price_non_negative" CHECK ("products"."reference_price" >= 0),
	CONSTRAINT "products_plu_digits" CHECK ("products"."plu" is null or "products"."plu" ~ '^[0-9]{4,6}$'),
	CONSTRAINT "products_image_score_range" CHECK ("products"."image_score" is null or ("products"."image_score" >= 0 and "products"."image_score" <= 1))
);
--> statement-breakpoint
CREATE TABLE "purchase_request_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"request_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"buyer_id" uuid,
	"quantity" numeric(14, 3) NOT NULL,
	"unit_price" numeric(14, 2) NOT NULL,
	"note" text,
	"status" "purchase_request_item_status" DEFAULT 'pending' NOT NULL,
	"approved_quantity" numeric(14, 3),
	"decision_reason" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "purchase_request_items_quantity_positive" CHECK ("purchase_request_items"."quantity" > 0),
	CONSTRAINT "purchase_request_items_unit_price_non_negative" CHECK ("purchase_request_items"."unit_price" >= 0),
	CONSTRAINT "purchase_request_items_approved_quantity_range" CHECK ("purchase_request_items"."approved_quantity" is null or ("purchase_request_items"."approved_quantity" > 0 and "purchase_request_items"."approved_quantity" <= "purchase_request_items"."quantity")),
	CONSTRAINT "purchase_request_items_rejection_reason" CHECK ("purchase_request_items"."status" <> 'rejected' or "purchase_request_items"."decision_reason" is not null)
);
--> statement-breakpoint
CREATE TABLE "purchase_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"created_by" uuid NOT NULL,
	"status" "purchase_request_status" DEFAULT 'draft' NOT NULL,
	"note" text,
	"total_value" numeric(14, 2) DEFAULT 0 NOT NULL,
	"item_count" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"submitted_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "purchase_requests_total_non_negative" CHECK ("purchase_requests"."total_value" >= 0)
);
--> statement-breakpoint
CREATE TABLE "count_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"product_id" uuid,
	"ean" text NOT NULL,
	"quantity" numeric(14, 3) NOT NULL,
	"zone" text DEFAULT '' NOT NULL,
	"counted_by" uuid NOT NULL,
	"device_id" text NOT NULL,
	"seq" integer NOT NULL,
	"replaces" uuid,
	"recount" boolean DEFAULT false NOT NULL,
	"counted_at" timestamp with time zone NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "count_entries_ean_digits" CHECK ("count_entries"."ean" ~ '^[0-9]{8,14}$'),
	CONSTRAINT "count_entries_seq_non_negative" CHECK ("count_entries"."seq" >= 0)
);
--> statement-breakpoint
CREATE TABLE "inventory_assignments" (
	"session_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"zone" text DEFAULT '' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inventory_assignments_session_id_user_id_zone_pk" PRIMARY KEY("session_id","user_id","zone")
);
--> statement-breakpoint
CREATE TABLE "inventory_devices" (
	"session_id" uuid NOT NULL,
	"device_id" text NOT NULL,
	"user_id" uuid NOT NULL,
	"pending_count" integer DEFAULT 0 NOT NULL,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"last_sync_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inventory_devices_session_id_device_id_pk" PRIMARY KEY("session_id","device_id"),
	CONSTRAINT "inventory_devices_pending_non_negative" CHECK ("inventory_devices"."pending_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "inventory_expected" (
	"session_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"expected_quantity" numeric(14, 3) NOT NULL,
	CONSTRAINT "inventory_expected_session_id_product_id_pk" PRIMARY KEY("session_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "inventory_recounts" (
	"session_id" uuid NOT NULL,
	"ean" text NOT NULL,
	"product_id" uuid,
	"requested_by" uuid NOT NULL,
	"requested_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inventory_recounts_session_id_ean_pk" PRIMARY KEY("session_id","ean")
);
--> statement-breakpoint
CREATE TABLE "inventory_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"scope" "inventory_scope" DEFAULT 'full' NOT NULL,
	"filter" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"blind" boolean DEFAULT false NOT NULL,
	"status" "inventory_session_status" DEFAULT 'open' NOT NULL,
	"variance_threshold" numeric(14, 3) DEFAULT 0.1 NOT NULL,
	"note" text,
	"opened_by" uuid NOT NULL,
	"finalized_by" uuid,
	"opened_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"finalized_at" timestamp with time zone,
	"cancelled_by" uuid,
	"cancelled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "inventory_totals" (
	"session_id" uuid NOT NULL,
	"ean" text NOT NULL,
	"product_id" uuid,
	"counted_quantity" numeric(14, 3) NOT NULL,
	"expected_quantity" numeric(14, 3) NOT NULL,
	"variance_quantity" numeric(14, 3) NOT NULL,
	"variance_value" numeric(14, 2) NOT NULL,
	"unit_price" numeric(14, 2) DEFAULT 0 NOT NULL,
	"entry_count" integer DEFAULT 0 NOT NULL,
	"recounted" boolean DEFAULT false NOT NULL,
	"zones" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "inventory_totals_session_id_ean_pk" PRIMARY KEY("session_id","ean")
);
--> statement-breakpoint
CREATE TABLE "store_stock" (
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"quantity" numeric(14, 3) DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "store_stock_store_id_product_id_pk" PRIMARY KEY("store_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "compliance_submissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"task_id" uuid NOT NULL,
	"submitted_by" uuid NOT NULL,
	"photo_url" text NOT NULL,
	"note" text,
	"status" "compliance_submission_status" DEFAULT 'submitted' NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "compliance_submissions_photo_url" CHECK (length("compliance_submissions"."photo_url") > 0)
);
--> statement-breakpoint
CREATE TABLE "compliance_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"title" text NOT NULL,
	"instructions" text,
	"status" "compliance_task_status" DEFAULT 'open' NOT NULL,
	"due_at" timestamp with time zone,
	"created_by" uuid NOT NULL,
	"completed_at" timestamp with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "device_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"token" text NOT NULL,
	"platform" text DEFAULT 'web' NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "device_tokens_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"source_event_id" text,
	"read_at" timestamp with time zone,
	"push_status" "push_status" DEFAULT 'none' NOT NULL,
	"push_sent_at" timestamp with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid,
	"type" text NOT NULL,
	"aggregate_type" text NOT NULL,
	"aggregate_id" text NOT NULL,
	"aggregate_seq" integer NOT NULL,
	"payload" jsonb NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "event_log_aggregate_seq_unique" UNIQUE("aggregate_type","aggregate_id","aggregate_seq")
);
--> statement-breakpoint
CREATE TABLE "processed_events" (
	"consumer" text NOT NULL,
	"event_id" bigint NOT NULL,
	"processed_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "processed_events_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid,
	"actor_id" uuid,
	"actor_type" text DEFAULT 'user' NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text,
	"before" jsonb,
	"after" jsonb,
	"request_id" text,
	"ip" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dead_letter_queue" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid,
	"source_queue" text NOT NULL,
	"original_id" text,
	"job_name" text,
	"payload" jsonb NOT NULL,
	"error_message" text,
	"error_stack" text,
	"attempts" integer DEFAULT 1 NOT NULL,
	"max_attempts" integer DEFAULT 3 NOT NULL,
	"retry_history" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	"resolution_note" text,
	CONSTRAINT "dead_letter_queue_attempts_non_negative" CHECK ("dead_letter_queue"."attempts" >= 0)
);
--> statement-breakpoint
CREATE TABLE "store_daily_stats" (
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"day" date NOT NULL,
	"requests_created" integer DEFAULT 0 NOT NULL,
	"requests_value" numeric(14, 2) DEFAULT 0 NOT NULL,
	"items_approved" integer DEFAULT 0 NOT NULL,
	"items_rejected" integer DEFAULT 0 NOT NULL,
	"inventories_finalized" integer DEFAULT 0 NOT NULL,
	"variance_value" numeric(14, 2) DEFAULT 0 NOT NULL,
	CONSTRAINT "store_daily_stats_store_id_day_pk" PRIMARY KEY("store_id","day")
);
--> statement-breakpoint
CREATE TABLE "request_status_totals" (
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"status" text NOT NULL,
	"request_count" integer DEFAULT 0 NOT NULL,
	"total_value" numeric(14, 2) DEFAULT 0 NOT NULL,
	CONSTRAINT "request_status_totals_store_id_status_pk" PRIMARY KEY("store_id","status")
);
--> statement-breakpoint
ALTER TABLE "stores" ADD CONSTRAINT "stores_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_memberships" ADD CONSTRAINT "store_memberships_org_id_user_id_users_org_id_id_fk" FOREIGN KEY ("org_id","user_id") REFERENCES "public"."users"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_memberships" ADD CONSTRAINT "store_memberships_org_id_store_id_stores_org_id_id_fk" FOREIGN KEY ("org_id","store_id") REFERENCES "public"."stores"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_org_id_user_id_users_org_id_id_fk" FOREIGN KEY ("org_id","user_id") REFERENCES "public"."users"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_org_id_created_by_users_org_id_id_fk" FOREIGN KEY ("org_id","created_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "login_sessions" ADD CONSTRAINT "login_sessions_org_id_user_id_users_org_id_id_fk" FOREIGN KEY ("org_id","user_id") REFERENCES "public"."users"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "category_buyers" ADD CONSTRAINT "category_buyers_org_id_buyer_id_users_org_id_id_fk" FOREIGN KEY ("org_id","buyer_id") REFERENCES "public"."users"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_org_id_buyer_id_users_org_id_id_fk" FOREIGN KEY ("org_id","buyer_id") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_request_items" ADD CONSTRAINT "purchase_request_items_request_id_purchase_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."purchase_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_request_items" ADD CONSTRAINT "purchase_request_items_org_id_product_id_products_org_id_id_fk" FOREIGN KEY ("org_id","product_id") REFERENCES "public"."products"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_request_items" ADD CONSTRAINT "purchase_request_items_org_id_buyer_id_users_org_id_id_fk" FOREIGN KEY ("org_id","buyer_id") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_requests" ADD CONSTRAINT "purchase_requests_org_id_store_id_stores_org_id_id_fk" FOREIGN KEY ("org_id","store_id") REFERENCES "public"."stores"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchase_requests" ADD CONSTRAINT "purchase_requests_org_id_created_by_users_org_id_id_fk" FOREIGN KEY ("org_id","created_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "count_entries" ADD CONSTRAINT "count_entries_session_id_inventory_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."inventory_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "count_entries" ADD CONSTRAINT "count_entries_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "count_entries" ADD CONSTRAINT "count_entries_counted_by_users_id_fk" FOREIGN KEY ("counted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_assignments" ADD CONSTRAINT "inventory_assignments_session_id_inventory_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."inventory_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_assignments" ADD CONSTRAINT "inventory_assignments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_devices" ADD CONSTRAINT "inventory_devices_session_id_inventory_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."inventory_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_devices" ADD CONSTRAINT "inventory_devices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_expected" ADD CONSTRAINT "inventory_expected_session_id_inventory_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."inventory_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_expected" ADD CONSTRAINT "inventory_expected_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_recounts" ADD CONSTRAINT "inventory_recounts_session_id_inventory_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."inventory_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_recounts" ADD CONSTRAINT "inventory_recounts_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_recounts" ADD CONSTRAINT "inventory_recounts_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_sessions" ADD CONSTRAINT "inventory_sessions_org_id_store_id_stores_org_id_id_fk" FOREIGN KEY ("org_id","store_id") REFERENCES "public"."stores"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_sessions" ADD CONSTRAINT "inventory_sessions_org_id_opened_by_users_org_id_id_fk" FOREIGN KEY ("org_id","opened_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_totals" ADD CONSTRAINT "inventory_totals_session_id_inventory_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."inventory_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_totals" ADD CONSTRAINT "inventory_totals_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_stock" ADD CONSTRAINT "store_stock_org_id_store_id_stores_org_id_id_fk" FOREIGN KEY ("org_id","store_id") REFERENCES "public"."stores"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_stock" ADD CONSTRAINT "store_stock_org_id_product_id_products_org_id_id_fk" FOREIGN KEY ("org_id","product_id") REFERENCES "public"."products"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_submissions" ADD CONSTRAINT "compliance_submissions_task_id_compliance_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."compliance_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_submissions" ADD CONSTRAINT "compliance_submissions_org_id_submitted_by_users_org_id_id_fk" FOREIGN KEY ("org_id","submitted_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_tasks" ADD CONSTRAINT "compliance_tasks_org_id_store_id_stores_org_id_id_fk" FOREIGN KEY ("org_id","store_id") REFERENCES "public"."stores"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_tasks" ADD CONSTRAINT "compliance_tasks_org_id_created_by_users_org_id_id_fk" FOREIGN KEY ("org_id","created_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "device_tokens" ADD CONSTRAINT "device_tokens_org_id_user_id_users_org_id_id_fk" FOREIGN KEY ("org_id","user_id") REFERENCES "public"."users"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_org_id_user_id_users_org_id_id_fk" FOREIGN KEY ("org_id","user_id") REFERENCES "public"."users"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stores_org_name_idx" ON "stores" USING btree ("org_id","name","id") WHERE "stores"."active";--> statement-breakpoint
CREATE INDEX "store_memberships_store_idx" ON "store_memberships" USING btree ("store_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_unique" ON "users" USING btree ("email");--> statement-breakpoint
CREATE INDEX "users_org_active_idx" ON "users" USING btree ("org_id","name","id") WHERE "users"."active";--> statement-breakpoint
CREATE INDEX "users_org_role_idx" ON "users" USING btree ("org_id","role");--> statement-breakpoint
CREATE INDEX "api_tokens_org_created_idx" ON "api_tokens" USING btree ("org_id","created_at","id");--> statement-breakpoint
CREATE INDEX "login_sessions_user_idx" ON "login_sessions" USING btree ("user_id") WHERE "login_sessions"."revoked_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "products_org_ean_unique" ON "products" USING btree ("org_id","ean");--> statement-breakpoint
CREATE UNIQUE INDEX "products_org_plu_unique" ON "products" USING btree ("org_id","plu") WHERE "products"."plu" is not null;--> statement-breakpoint
CREATE INDEX "products_org_name_idx" ON "products" USING btree ("org_id",(lower("name") collate "C"),"id");--> statement-breakpoint
CREATE INDEX "products_org_buyer_idx" ON "products" USING btree ("org_id","buyer_id");--> statement-breakpoint
CREATE INDEX "purchase_request_items_request_idx" ON "purchase_request_items" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "purchase_request_items_product_idx" ON "purchase_request_items" USING btree ("product_id");--> statement-breakpoint
CREATE INDEX "purchase_request_items_buyer_pending_idx" ON "purchase_request_items" USING btree ("org_id","buyer_id","created_at") WHERE "purchase_request_items"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "purchase_requests_org_status_created_idx" ON "purchase_requests" USING btree ("org_id","status","created_at" DESC NULLS LAST) WHERE "purchase_requests"."status" <> 'draft';--> statement-breakpoint
CREATE INDEX "purchase_requests_org_created_idx" ON "purchase_requests" USING btree ("org_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "purchase_requests_store_created_idx" ON "purchase_requests" USING btree ("store_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "count_entries_session_product_idx" ON "count_entries" USING btree ("session_id","product_id");--> statement-breakpoint
CREATE INDEX "count_entries_session_device_idx" ON "count_entries" USING btree ("session_id","device_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "count_entries_session_replaces_unique" ON "count_entries" USING btree ("session_id","replaces") WHERE "count_entries"."replaces" is not null;--> statement-breakpoint
CREATE INDEX "inventory_assignments_user_idx" ON "inventory_assignments" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "inventory_sessions_org_store_idx" ON "inventory_sessions" USING btree ("org_id","store_id","opened_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "inventory_sessions_org_opened_idx" ON "inventory_sessions" USING btree ("org_id","opened_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "inventory_sessions_one_open_per_store" ON "inventory_sessions" USING btree ("store_id") WHERE "inventory_sessions"."status" = 'open';--> statement-breakpoint
CREATE INDEX "store_stock_product_idx" ON "store_stock" USING btree ("product_id");--> statement-breakpoint
CREATE INDEX "compliance_submissions_task_idx" ON "compliance_submissions" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "compliance_tasks_org_store_status_idx" ON "compliance_tasks" USING btree ("org_id","store_id","status");--> statement-breakpoint
CREATE INDEX "device_tokens_user_idx" ON "device_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "notifications_user_created_idx" ON "notifications" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notifications_user_unread_idx" ON "notifications" USING btree ("user_id") WHERE "notifications"."read_at" is null;--> statement-breakpoint
CREATE INDEX "notifications_source_event_idx" ON "notifications" USING btree ("source_event_id","user_id");--> statement-breakpoint
CREATE INDEX "notifications_push_backlog_idx" ON "notifications" USING btree ("org_id","push_status") WHERE "notifications"."push_status" in ('queued', 'sending', 'failed');--> statement-breakpoint
CREATE INDEX "event_log_unpublished_idx" ON "event_log" USING btree ("id") WHERE "event_log"."published_at" is null;--> statement-breakpoint
CREATE INDEX "event_log_org_created_idx" ON "event_log" USING btree ("org_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_log_org_id_idx" ON "audit_log" USING btree ("org_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_log_org_entity_idx" ON "audit_log" USING btree ("org_id","entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "audit_log_org_actor_idx" ON "audit_log" USING btree ("org_id","actor_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "dead_letter_queue_unresolved_idx" ON "dead_letter_queue" USING btree ("source_queue","created_at" DESC NULLS LAST) WHERE "dead_letter_queue"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "store_daily_stats_org_day_idx" ON "store_daily_stats" USING btree ("org_id","day");--> statement-breakpoint
CREATE INDEX "request_status_totals_org_idx" ON "request_status_totals" USING btree ("org_id");