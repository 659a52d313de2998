CREATE TABLE "counting_devices" (
	"org_id" uuid NOT NULL,
	"device_id" text NOT NULL,
	"secret_hash" text NOT NULL,
	"registered_by" uuid NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "counting_devices_org_id_device_id_pk" PRIMARY KEY("org_id","device_id")
);
--> statement-breakpoint
ALTER TABLE "counting_devices" ADD CONSTRAINT "counting_devices_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "counting_devices" ADD CONSTRAINT "counting_devices_registered_by_users_id_fk" FOREIGN KEY ("registered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;