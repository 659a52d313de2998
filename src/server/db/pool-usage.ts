import type { Sql } from 'postgres';

/** `lastAnsweredAt`: when the database last answered a statement of this pool (epoch ms; 0: never). */
export type PoolUsage = { max: number; inUse: number; waiting: number; lastAnsweredAt: number };

/**
 * postgres.js keeps its pool's state to itself, so demand is counted at our one seam: statements drizzle sent and
 * not yet answered, plus open transactions (each holds a connection). Up to the pool's size they are connections in
 * use; beyond it, work waiting for one — the saturation an operator must see. Statements inside a transaction run on
 * its connection and are not counted again.
 */
export function trackPoolUsage(sql: Sql, max: number): { sql: Sql; usage: () => PoolUsage } {
  let statements = 0;
  let transactions = 0;
  let lastAnsweredAt = 0;
  const tracked = new Proxy(sql, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (...args: Parameters<Sql['unsafe']>) => {
          const query = target.unsafe(...args) as unknown as { handler: (q: unknown) => unknown; resolve: (x: unknown) => void; reject: (x: unknown) => void };
          // Counted from when the pool takes the query (not when it is built) until it settles; building it runs nothing.
          const { handler, resolve, reject } = query;
          let counted = false;
          const done = () => {
            if (counted) statements--;
            counted = false;
          };
          query.handler = (q) => {
            if (!counted) statements++;
            counted = true;
            return handler(q);
          };
          query.resolve = (x) => ((lastAnsweredAt = Date.now()), done(), resolve(x));
          query.reject = (x) => (done(), reject(x));
          return query;
        };
      }
      if (property === 'begin') {
        return (...args: unknown[]) => {
          transactions++;
          return (Reflect.get(target, property) as (...a: unknown[]) => Promise<unknown>)(...args).finally(() => transactions--);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
  return {
    sql: tracked,
    usage: () => {
      const demand = statements + transactions;
      return { max, inUse: Math.min(demand, max), waiting: Math.max(0, demand - max), lastAnsweredAt };
    },
  };
}
