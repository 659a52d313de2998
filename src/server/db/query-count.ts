import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counts the SQL statements the driver sends within a scope (a request, a test). Fed by postgres.js's
 * `debug` hook, so it counts what reaches PostgreSQL, not what the code looks like it does.
 */
export type QueryCounter = { count: number; statements: string[] };
const storage = new AsyncLocalStorage<QueryCounter>();
let recordStatements = false;

export function countQueries<T>(fn: () => Promise<T>, opts: { keepStatements?: boolean } = {}): Promise<{ result: T; queries: QueryCounter }> {
  const counter: QueryCounter = { count: 0, statements: [] };
  recordStatements ||= Boolean(opts.keepStatements);
  return storage.run(counter, async () => ({ result: await fn(), queries: counter }));
}

/** Runs fn in a fresh counter and returns that counter (for middleware that reads it afterwards). */
export function withQueryCounter<T>(counter: QueryCounter, fn: () => T): T {
  return storage.run(counter, fn);
}

export function currentQueryCounter(): QueryCounter | undefined {
  return storage.getStore();
}

export function onDriverQuery(query: string): void {
  const counter = storage.getStore();
  if (!counter) return;
  counter.count++;
  if (recordStatements) counter.statements.push(query);
}
