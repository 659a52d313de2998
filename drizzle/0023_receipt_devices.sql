CREATE TABLE "receipt_devices" (
	"receipt_id" uuid NOT NULL,
	"device_id" text NOT NULL,
	"user_id" uuid NOT NULL,
	"pending_count" integer DEFAULT 0 NOT NULL,
	"last_sync_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "receipt_devices_receipt_id_device_id_pk" PRIMARY KEY("receipt_id","device_id")
);
--> statement-breakpoint
ALTER TABLE "receipt_devices" ADD CONSTRAINT "receipt_devices_receipt_id_receipts_id_fk" FOREIGN KEY ("receipt_id") REFERENCES "public"."receipts"("id") ON DELETE cascade ON UPDATE no action;