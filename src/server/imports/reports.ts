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
  return { rejected: report.rejected, errors: report.errors, errorsTruncated: report.errorsTruncated, reportId: report.rejected > 0 ? await keepReport(ctx, kind, report.all) : null };
}

/** The import has committed by now: failing to keep its report costs the download, never the answer. */
async function keepReport(ctx: SignedInContext, kind: ImportKind, errors: CsvRowError[]): Promise<string | null> {
  try {
    return await insertImportReport(ctx.db, { orgId: ctx.principal.orgId, createdBy: ctx.principal.userId, kind, errors });
  } catch (error) {
    ctx.logger.error({ err: error, kind, rows: errors.length }, 'import report not kept');
    return null;
  }
}

/** Every bad row of one of the caller's imports (an admin: of anyone's in the org), by line. */
export async function getImportErrorReport(ctx: SignedInContext, id: string) {
  const report = await findImportReport(ctx.db, ctx.principal.orgId, id);
  if (!report || (report.createdBy !== ctx.principal.userId && ctx.principal.role !== 'admin')) throw notFound('import_report');
  return { id: report.id, kind: report.kind, createdAt: report.createdAt, rejected: report.errors.length, errors: report.errors };
}
