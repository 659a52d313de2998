-- Nothing ever wrote these two tables (only their shapes existed, issue 19 replaces them): dropped, not migrated.
DROP TABLE "compliance_submissions" CASCADE;--> statement-breakpoint
DROP TABLE "compliance_tasks" CASCADE;--> statement-breakpoint
DROP TYPE "public"."compliance_submission_status";--> statement-breakpoint
DROP TYPE "public"."compliance_task_status";