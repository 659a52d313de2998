CREATE TABLE "operator_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"operator_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"ip" text,
	"user_agent" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "platform_operators" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "operator_sessions" ADD CONSTRAINT "operator_sessions_operator_id_platform_operators_id_fk" FOREIGN KEY ("operator_id") REFERENCES "public"."platform_operators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "operator_sessions_operator_idx" ON "operator_sessions" USING btree ("operator_id") WHERE "operator_sessions"."revoked_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "platform_operators_email_unique" ON "platform_operators" USING btree ("email");--> statement-breakpoint
CREATE INDEX "products_image_processing_idx" ON "products" USING btree ("org_id") WHERE "products"."image_status" = 'processing';--> statement-breakpoint
CREATE INDEX "dead_letter_queue_org_created_idx" ON "dead_letter_queue" USING btree ("org_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
-- Login is by email for users and platform operators alike, so an email belongs to one of them only. Each insert
-- (or email change) takes a lock on its email, so of two at once the second sees the first; the violation names
-- the table's own unique index, which the code already turns into `email_taken`.
CREATE FUNCTION "login_email_unique"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('login_email:' || NEW.email, 0));
  IF TG_TABLE_NAME = 'users' AND EXISTS (SELECT 1 FROM "platform_operators" WHERE "email" = NEW.email) THEN
    RAISE unique_violation USING CONSTRAINT = 'users_email_unique', MESSAGE = format('email %s belongs to a platform operator', NEW.email);
  ELSIF TG_TABLE_NAME = 'platform_operators' AND EXISTS (SELECT 1 FROM "users" WHERE "email" = NEW.email) THEN
    RAISE unique_violation USING CONSTRAINT = 'platform_operators_email_unique', MESSAGE = format('email %s belongs to a user', NEW.email);
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "users_login_email_unique" BEFORE INSERT OR UPDATE OF "email" ON "users" FOR EACH ROW EXECUTE FUNCTION "login_email_unique"();--> statement-breakpoint
CREATE TRIGGER "platform_operators_login_email_unique" BEFORE INSERT OR UPDATE OF "email" ON "platform_operators" FOR EACH ROW EXECUTE FUNCTION "login_email_unique"();
