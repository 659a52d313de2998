/**
 * `Promise.all` for the statements of one transaction sent together (postgres.js pipelines a transaction's
 * concurrent queries on its connection, one round trip for the group). Unlike `Promise.all` it waits for every
 * one to settle before throwing the first failure: a transaction that ended on an early failure must not leave
 * a sibling still running, which could send its next statements after the rollback.
 */
export async function settleAll<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
