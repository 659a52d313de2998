import { AppError } from '../../errors';

/** Deeper than any input of ours (a sync batch is 3 levels): beyond it, input is an attack, not data. */
export const MAX_INPUT_DEPTH = 20;
/** More than any list of ours takes (a sync batch is at most 2,000): counted before a schema parses each item. */
export const MAX_INPUT_ITEMS = 5_000;

/**
 * Refuses, before any schema or cache sees it, input that no procedure may store: text with a NUL character
 * (PostgreSQL cannot hold one in text or jsonb), structures nested deeper than MAX_INPUT_DEPTH and lists longer
 * than MAX_INPUT_ITEMS. One rule for every procedure, so no field can forget it. Iterative: a hostile depth
 * cannot overflow the stack.
 */
export function assertStorableInput(input: unknown): void {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: input, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) throw new AppError('INVALID', 'nul_character', `${path || 'input'}: text may not contain NUL characters`, { field: path.split('.')[0] || null });
      continue;
    }
    if (value === null || typeof value !== 'object' || value instanceof Date) continue;
    if (depth >= MAX_INPUT_DEPTH) throw new AppError('INVALID', 'too_deeply_nested', `Input is nested more than ${MAX_INPUT_DEPTH} levels deep`);
    if (Array.isArray(value) && value.length > MAX_INPUT_ITEMS) {
      throw new AppError('INVALID', 'too_many_items', `${path || 'input'}: more than ${MAX_INPUT_ITEMS} items`, { field: path.split('.')[0] || null, max: MAX_INPUT_ITEMS });
    }
    for (const [key, child] of Object.entries(value)) stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
  }
}
