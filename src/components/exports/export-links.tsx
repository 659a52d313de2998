'use client';

/** The exports the server writes (GET /api/export/<kind>.<csv|xlsx>; src/server/http/exports-route.ts). */
export type ExportKind = 'inventory-session' | 'purchase-requests' | 'catalogue' | 'stock' | 'audit';
export type ExportParams = Record<string, string | string[] | Date | boolean | null | undefined>;

/** The page's filters as the export's query string: empty ones left out, dates as ISO instants, lists comma-joined. */
export function exportQuery(params: ExportParams = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '' || value === false) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) query.set(key, value.join(','));
    } else query.set(key, value instanceof Date ? value.toISOString() : String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

export const exportHref = (kind: ExportKind, format: 'csv' | 'xlsx', params?: ExportParams) => `/api/export/${kind}.${format}${exportQuery(params)}`;

/**
 * "Exportar CSV" and "Exportar Excel": plain download links (the browser saves the file the server streams, with
 * its dated name), large enough for a finger, with whatever filters the page has applied.
 */
export function ExportLinks({ kind, params, label = 'Exportar' }: { kind: ExportKind; params?: ExportParams; label?: string }) {
  return (
    <div className="inline-actions" role="group" aria-label={label}>
      <a className="btn btn-secondary" href={exportHref(kind, 'csv', params)} download data-testid={`export-${kind}-csv`}>
        Exportar CSV
      </a>
      <a className="btn btn-secondary" href={exportHref(kind, 'xlsx', params)} download data-testid={`export-${kind}-xlsx`}>
        Exportar Excel
      </a>
    </div>
  );
}
