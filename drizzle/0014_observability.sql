CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"component" text NOT NULL,
	"severity" text NOT NULL,
	"title" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"open_notice_at" timestamp with time zone,
	"resolve_notice_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "metric_minutes" (
	"minute" timestamp with time zone NOT NULL,
	"series" text NOT NULL,
	"value" bigint NOT NULL,
	CONSTRAINT "metric_minutes_minute_series_pk" PRIMARY KEY("minute","series")
);
--> statement-breakpoint
CREATE TABLE "process_heartbeats" (
	"instance" text PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"pid" integer NOT NULL,
	"version" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"beat_at" timestamp with time zone NOT NULL,
	"stopped_at" timestamp with time zone,
	"integrations" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_open_key_unique" ON "incidents" USING btree ("key") WHERE "incidents"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "incidents_started_idx" ON "incidents" USING btree ("started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "incidents_notice_due_idx" ON "incidents" USING btree ("started_at") WHERE "incidents"."open_notice_at" is null or ("incidents"."resolved_at" is not null and "incidents"."resolve_notice_at" is null);