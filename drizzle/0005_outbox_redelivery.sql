ALTER TABLE "event_log" ADD COLUMN "processed_at" timestamp with time zone;--> statement-breakpoint
-- Events published before this column existed were handed to their consumers then: the redelivery sweep must not queue them again.
UPDATE "event_log" SET "processed_at" = "published_at" WHERE "published_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "event_log_unprocessed_idx" ON "event_log" USING btree ("id") WHERE "event_log"."processed_at" is null;--> statement-breakpoint
-- One notification per event and recipient: a replay to the push consumer made a second one; keep the first.
-- Locked from the clean-up to the index, so an instance still running the old code cannot add a duplicate between them.
LOCK TABLE "notifications" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
DELETE FROM "notifications" n USING "notifications" older
  WHERE n."source_event_id" = older."source_event_id" AND n."user_id" = older."user_id" AND (older."created_at", older."id") < (n."created_at", n."id");--> statement-breakpoint
DROP INDEX "notifications_source_event_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_source_event_user_unique" ON "notifications" USING btree ("source_event_id","user_id");
