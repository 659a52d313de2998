import { AppError } from '../../errors';

/** Opaque keyset cursors: the sort key and id of the last row, base64url JSON. No OFFSET anywhere. */
export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor<T extends (string | number)[]>(cursor: string | null | undefined, shape: ('string' | 'number')[]): T | null {
  if (!cursor) return null;
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(values) && values.length === shape.length && values.every((v, i) => typeof v === shape[i])) return values as T;
  } catch {
    // falls through to the error below
  }
  throw new AppError('INVALID', 'Invalid cursor: pass the nextCursor of the previous page unchanged');
}

/** Fetch limit + 1 rows; the extra one says whether there is a next page. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => (string | number)[]) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
