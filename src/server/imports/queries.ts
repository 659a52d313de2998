import { and, eq, lt, sql } from 'drizzle-orm';
import type { CsvRowError } from '../csv/read';
import type { Executor } from '../db/client';
import { importReports } from '../db/schema';

/** Stores an import's bad rows and drops the org's reports past their week. */
export async function insertImportReport(db: Executor, report: { orgId: string; createdBy: string; kind: 'products' | 'stock'; errors: CsvRowError[] }): Promise<string> {
  await db.delete(importReports).where(and(eq(importReports.orgId, report.orgId), lt(importReports.createdAt, sql`now() - interval '7 days'`)));
  const [row] = await db.insert(importReports).values(report).returning({ id: importReports.id });
  return row!.id;
}

export async function findImportReport(db: Executor, orgId: string, id: string) {
  const [row] = await db
    .select()
    .from(importReports)
    .where(and(eq(importReports.orgId, orgId), eq(importReports.id, id), sql`${importReports.createdAt} >= now() - interval '7 days'`));
  return row;
}
