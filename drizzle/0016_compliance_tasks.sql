CREATE TYPE "public"."compliance_schedule" AS ENUM('once', 'daily', 'weekly');--> statement-breakpoint
CREATE TYPE "public"."compliance_task_status" AS ENUM('open', 'submitted', 'needs_review', 'failed', 'passed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."compliance_verdict" AS ENUM('pending', 'passed', 'failed', 'needs_review');--> statement-breakpoint
CREATE TABLE "compliance_photos" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"task_id" uuid NOT NULL,
	"submission_id" uuid,
	"uploaded_by" uuid NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"bytes" integer NOT NULL,
	"content_type" text NOT NULL,
	"taken_at" timestamp with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "compliance_submissions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"task_id" uuid NOT NULL,
	"submitted_by" uuid NOT NULL,
	"checklist" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"note" text,
	"verdict" "compliance_verdict" DEFAULT 'pending' NOT NULL,
	"review_reason" text,
	"findings" jsonb,
	"expected" jsonb,
	"verdict_at" timestamp with time zone,
	"review_decision" text,
	"review_comment" text,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "compliance_submissions_org_id_unique" UNIQUE("org_id","id"),
	CONSTRAINT "compliance_submissions_review_decision" CHECK ("compliance_submissions"."review_decision" is null or "compliance_submissions"."review_decision" in ('approved', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "compliance_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"period" date NOT NULL,
	"title" text NOT NULL,
	"instructions" text,
	"checklist" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"photo_count" smallint NOT NULL,
	"rules" jsonb NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" "compliance_task_status" DEFAULT 'open' NOT NULL,
	"submission_id" uuid,
	"submitted_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"returned_comment" text,
	"returned_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "compliance_tasks_org_id_unique" UNIQUE("org_id","id"),
	CONSTRAINT "compliance_tasks_template_store_period_unique" UNIQUE("template_id","store_id","period")
);
--> statement-breakpoint
CREATE TABLE "compliance_template_stores" (
	"template_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"since" date NOT NULL,
	CONSTRAINT "compliance_template_stores_template_id_store_id_pk" PRIMARY KEY("template_id","store_id")
);
--> statement-breakpoint
CREATE TABLE "compliance_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"title" text NOT NULL,
	"instructions" text,
	"checklist" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"photo_count" smallint DEFAULT 1 NOT NULL,
	"expected_labels" text[] DEFAULT '{}'::text[] NOT NULL,
	"expected_texts" text[] DEFAULT '{}'::text[] NOT NULL,
	"always_review" boolean DEFAULT false NOT NULL,
	"schedule" "compliance_schedule" NOT NULL,
	"once_on" date,
	"weekdays" smallint[] DEFAULT '{}'::smallint[] NOT NULL,
	"due_time" time DEFAULT '18:00' NOT NULL,
	"starts_on" date NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "compliance_templates_org_id_unique" UNIQUE("org_id","id"),
	CONSTRAINT "compliance_templates_photo_count" CHECK ("compliance_templates"."photo_count" between 1 and 6),
	CONSTRAINT "compliance_templates_once" CHECK ("compliance_templates"."schedule" <> 'once' or "compliance_templates"."once_on" is not null),
	CONSTRAINT "compliance_templates_weekly" CHECK ("compliance_templates"."schedule" <> 'weekly' or cardinality("compliance_templates"."weekdays") > 0)
);
--> statement-breakpoint
ALTER TABLE "compliance_photos" ADD CONSTRAINT "compliance_photos_org_id_task_id_compliance_tasks_org_id_id_fk" FOREIGN KEY ("org_id","task_id") REFERENCES "public"."compliance_tasks"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_photos" ADD CONSTRAINT "compliance_photos_org_id_submission_id_compliance_submissions_org_id_id_fk" FOREIGN KEY ("org_id","submission_id") REFERENCES "public"."compliance_submissions"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_photos" ADD CONSTRAINT "compliance_photos_org_id_uploaded_by_users_org_id_id_fk" FOREIGN KEY ("org_id","uploaded_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_submissions" ADD CONSTRAINT "compliance_submissions_org_id_task_id_compliance_tasks_org_id_id_fk" FOREIGN KEY ("org_id","task_id") REFERENCES "public"."compliance_tasks"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_submissions" ADD CONSTRAINT "compliance_submissions_org_id_submitted_by_users_org_id_id_fk" FOREIGN KEY ("org_id","submitted_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_submissions" ADD CONSTRAINT "compliance_submissions_org_id_reviewed_by_users_org_id_id_fk" FOREIGN KEY ("org_id","reviewed_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_tasks" ADD CONSTRAINT "compliance_tasks_org_id_store_id_stores_org_id_id_fk" FOREIGN KEY ("org_id","store_id") REFERENCES "public"."stores"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_tasks" ADD CONSTRAINT "compliance_tasks_org_id_template_id_compliance_templates_org_id_id_fk" FOREIGN KEY ("org_id","template_id") REFERENCES "public"."compliance_templates"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_template_stores" ADD CONSTRAINT "compliance_template_stores_org_id_template_id_compliance_templates_org_id_id_fk" FOREIGN KEY ("org_id","template_id") REFERENCES "public"."compliance_templates"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_template_stores" ADD CONSTRAINT "compliance_template_stores_org_id_store_id_stores_org_id_id_fk" FOREIGN KEY ("org_id","store_id") REFERENCES "public"."stores"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_templates" ADD CONSTRAINT "compliance_templates_org_id_created_by_users_org_id_id_fk" FOREIGN KEY ("org_id","created_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "compliance_photos_task_idx" ON "compliance_photos" USING btree ("org_id","task_id");--> statement-breakpoint
CREATE INDEX "compliance_photos_submission_idx" ON "compliance_photos" USING btree ("submission_id");--> statement-breakpoint
CREATE INDEX "compliance_submissions_task_idx" ON "compliance_submissions" USING btree ("org_id","task_id","created_at");--> statement-breakpoint
CREATE INDEX "compliance_tasks_org_store_due_idx" ON "compliance_tasks" USING btree ("org_id","store_id","due_at");--> statement-breakpoint
CREATE INDEX "compliance_tasks_org_status_idx" ON "compliance_tasks" USING btree ("org_id","status","due_at");--> statement-breakpoint
CREATE INDEX "compliance_template_stores_store_idx" ON "compliance_template_stores" USING btree ("org_id","store_id");--> statement-breakpoint
CREATE INDEX "compliance_templates_org_idx" ON "compliance_templates" USING btree ("org_id","active");