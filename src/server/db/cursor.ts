import { isUuid } from '~/lib/uuid';
import { AppError } from '../errors';

/** Opaque keyset cursors: the sort key and id of the last row, base64url JSON. No OFFSET anywhere. */
export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * What each value of a cursor must be: it goes into SQL as that type, so a cursor crafted with anything else is a
 * BAD_REQUEST here, never a failed cast (a 500) in the database.
 */
export type CursorPart = 'text' | 'uuid' | 'time' | 'int' | 'decimal';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** An ISO time that names a real instant (no 30 February: JavaScript would roll it into March) within 1970..2099. */
function realTime(v: string): boolean {
  const at = new Date(v);
  const year = at.getUTCFullYear();
  return !Number.isNaN(at.getTime()) && year >= 1970 && year < 2100 && at.toISOString().slice(0, 19) === v.slice(0, 19);
}
const valid: Record<CursorPart, (v: unknown) => boolean> = {
  text: (v) => typeof v === 'string' && v.length <= 1000 && !v.includes('\0'),
  uuid: isUuid,
  time: (v) => typeof v === 'string' && ISO_TIME.test(v) && realTime(v),
  int: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
  /** A money or quantity sort key (numeric(14,2) or (14,3) columns fit well within this). */
  decimal: (v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e15,
};

export function decodeCursor<T extends (string | number)[]>(cursor: string | null | undefined, shape: CursorPart[]): T | null {
  if (!cursor) return null;
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(values) && values.length === shape.length && values.every((v, i) => valid[shape[i]!](v))) return values as T;
  } catch {
    // falls through to the error below
  }
  throw new AppError('INVALID', 'invalid_cursor', 'Invalid cursor: pass the nextCursor of the previous page unchanged', { field: 'cursor' });
}

/** Fetch limit + 1 rows; the extra one says whether there is a next page. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => (string | number)[]) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
