import { pgErrorCode } from '../errors';

/** "current transaction is aborted": what every statement behind the one that failed answers. */
const IN_FAILED_TRANSACTION = '25P02';

/**
 * `Promise.all` for statements of one transaction sent together (one round trip): it waits for all to settle, so
 * no sibling runs on after the rollback, and throws the failure that caused the others, not a sibling's
 * "current transaction is aborted".
 */
export async function settleAll<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(promises);
  const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw failures.find((e) => pgErrorCode(e) !== IN_FAILED_TRANSACTION) ?? failures[0];
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
