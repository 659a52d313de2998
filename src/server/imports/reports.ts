import { rowErrorReport, type CsvRowError } from '../csv/read';
import type { SignedInContext } from '../domain/context';
import { notFound } from '../errors';
import { findImportReport, insertImportReport } from './queries';

export type ImportKind = 'products' | 'stock';

/**
 * The bad rows of an import as its answer gives them: the first 1,000 by line, how many in all, and, when there are
 * any, the id of the full list kept for a week (`imports.errorReport`).
 */
export async function reportRowErrors(ctx: SignedInContext, kind: ImportKind, errors: CsvRowError[]) {
  const report = rowErrorReport(errors);
  const reportId = report.rejected > 0 ? await insertImportReport(ctx.db, { orgId: ctx.principal.orgId, createdBy: ctx.principal.userId, kind, errors: report.all }) : null;
  return { rejected: report.rejected, errors: report.errors, errorsTruncated: report.errorsTruncated, reportId };
}

/** Every bad row of one of the caller's imports (an admin: of anyone's in the org), by line. */
export async function getImportErrorReport(ctx: SignedInContext, id: string) {
  const report = await findImportReport(ctx.db, ctx.principal.orgId, id);
  if (!report || (report.createdBy !== ctx.principal.userId && ctx.principal.role !== 'admin')) throw notFound('import_report');
  return { id: report.id, kind: report.kind, createdAt: report.createdAt, rejected: report.errors.length, errors: report.errors };
}
