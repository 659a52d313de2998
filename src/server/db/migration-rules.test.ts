import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from './migrate';
import { breakingStatements, FIRST_RULED_MIGRATION } from './migration-rules';

describe('migrations expand before they contract', () => {
  it('no migration since the rule breaks the release before it (or says why it may: -- contract:)', () => {
    const files = readdirSync(MIGRATIONS_FOLDER).filter((f) => /^\d{4}_.*\.sql$/.test(f) && Number(f.slice(0, 4)) >= FIRST_RULED_MIGRATION);
    expect(files.length).toBeGreaterThan(0);
    const breaks = files.flatMap((f) => breakingStatements(f, readFileSync(path.join(MIGRATIONS_FOLDER, f), 'utf8')));
    expect(breaks).toEqual([]);
  });

  it('tells breaking statements from expanding ones', () => {
    const breaking = [
      'ALTER TABLE "products" DROP COLUMN "brand";',
      'ALTER TABLE "products" RENAME COLUMN "brand" TO "maker";',
      'ALTER TABLE "products" ALTER COLUMN "ean" SET DATA TYPE bigint;',
      'ALTER TABLE "products" ALTER COLUMN "brand" SET NOT NULL;',
      'ALTER TABLE "products" ADD COLUMN "maker" text NOT NULL;',
      'DROP TABLE "old_things";',
      'ALTER TABLE "products" ALTER COLUMN "unit" DROP DEFAULT;',
      'ALTER TABLE "products" ADD CONSTRAINT "products_price_positive" CHECK (price > 0);',
      'DROP TRIGGER "store_stock_copy" ON "products";',
    ];
    for (const statement of breaking) expect(breakingStatements('x.sql', statement), statement).toHaveLength(1);
    const expanding = [
      'ALTER TABLE "products" ADD COLUMN "maker" text;',
      'ALTER TABLE "products" ADD COLUMN "rank" integer DEFAULT 0 NOT NULL;',
      'CREATE INDEX "notifications_created_idx" ON "notifications" USING btree ("created_at");',
      'CREATE TABLE "feature_flags" ("org_id" uuid NOT NULL);',
      '-- contract: nothing reads brand since 0030\nALTER TABLE "products" DROP COLUMN "brand";',
    ];
    // Constraints on a table the same migration creates break no release.
    expect(breakingStatements('x.sql', 'CREATE TABLE "flags" ("id" uuid);\n--> statement-breakpoint\nALTER TABLE "flags" ADD CONSTRAINT "flags_fk" FOREIGN KEY ("id") REFERENCES "orgs"("id");')).toEqual([]);
    for (const statement of expanding) expect(breakingStatements('x.sql', statement), statement).toEqual([]);
  });
});
