CREATE TABLE "document_numbers" (
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"year" integer NOT NULL,
	"last_number" integer NOT NULL,
	CONSTRAINT "document_numbers_org_id_kind_year_pk" PRIMARY KEY("org_id","kind","year")
);
--> statement-breakpoint
ALTER TABLE "purchase_requests" ADD COLUMN "number" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "inventory_sessions" ADD COLUMN "number" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "document_numbers" ADD CONSTRAINT "document_numbers_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Existing documents are numbered in the order they were made, per org and year; the counters continue from there.
UPDATE "purchase_requests" r SET "number" = 'PC-' || x.y || '-' || lpad(x.n::text, greatest(6, length(x.n::text)), '0')
  FROM (SELECT id, extract(year FROM created_at AT TIME ZONE 'America/Sao_Paulo')::int AS y,
               row_number() OVER (PARTITION BY org_id, extract(year FROM created_at AT TIME ZONE 'America/Sao_Paulo') ORDER BY created_at, id) AS n
          FROM "purchase_requests") x
 WHERE x.id = r.id;--> statement-breakpoint
UPDATE "inventory_sessions" s SET "number" = 'INV-' || x.y || '-' || lpad(x.n::text, greatest(6, length(x.n::text)), '0')
  FROM (SELECT id, extract(year FROM opened_at AT TIME ZONE 'America/Sao_Paulo')::int AS y,
               row_number() OVER (PARTITION BY org_id, extract(year FROM opened_at AT TIME ZONE 'America/Sao_Paulo') ORDER BY opened_at, id) AS n
          FROM "inventory_sessions") x
 WHERE x.id = s.id;--> statement-breakpoint
INSERT INTO "document_numbers" ("org_id", "kind", "year", "last_number")
SELECT org_id, 'PC', extract(year FROM created_at AT TIME ZONE 'America/Sao_Paulo')::int, count(*) FROM "purchase_requests" GROUP BY 1, 2, 3
UNION ALL
SELECT org_id, 'INV', extract(year FROM opened_at AT TIME ZONE 'America/Sao_Paulo')::int, count(*) FROM "inventory_sessions" GROUP BY 1, 2, 3;--> statement-breakpoint
-- Every insert gets the next number of its org, kind and year (the year of the column named in TG_ARGV[1], in
-- America/Sao_Paulo), unless it brings one. The counter row is locked until the inserting transaction ends.
CREATE FUNCTION "assign_document_number"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  prefix text := TG_ARGV[0];
  made_at timestamptz := coalesce((to_jsonb(NEW) ->> TG_ARGV[1])::timestamptz, now());
  y int := extract(year FROM made_at AT TIME ZONE 'America/Sao_Paulo')::int;
  n int;
BEGIN
  IF coalesce(NEW.number, '') <> '' THEN
    RETURN NEW;
  END IF;
  INSERT INTO document_numbers AS d (org_id, kind, year, last_number) VALUES (NEW.org_id, prefix, y, 1)
  ON CONFLICT (org_id, kind, year) DO UPDATE SET last_number = d.last_number + 1
  RETURNING d.last_number INTO n;
  NEW.number := prefix || '-' || y || '-' || lpad(n::text, greatest(6, length(n::text)), '0');
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "purchase_requests_number" BEFORE INSERT ON "purchase_requests" FOR EACH ROW EXECUTE FUNCTION "assign_document_number"('PC', 'created_at');--> statement-breakpoint
CREATE TRIGGER "inventory_sessions_number" BEFORE INSERT ON "inventory_sessions" FOR EACH ROW EXECUTE FUNCTION "assign_document_number"('INV', 'opened_at');--> statement-breakpoint
CREATE UNIQUE INDEX "purchase_requests_org_number_idx" ON "purchase_requests" USING btree ("org_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "inventory_sessions_org_number_idx" ON "inventory_sessions" USING btree ("org_id","number");