import type { Sql } from 'postgres';

/**
 * `lastAnsweredAt`: when the database last answered a statement or a transaction of this pool, on the monotonic
 * clock (`performance.now()`: a clock set back cannot make an old answer look new); -Infinity: never.
 */
export type PoolUsage = { max: number; inUse: number; waiting: number; lastAnsweredAt: number };

/**
 * postgres.js keeps its pool's state to itself, so demand is counted at our one seam: statements drizzle sent and
 * not yet answered, plus open transactions (each holds a connection). Up to the pool's size they are connections in
 * use; beyond it, work waiting for one — the saturation an operator must see. Statements inside a transaction run on
 * its connection and are not counted again.
 *
 * `onePerConnection` (behind PgBouncer in transaction mode): beyond the pool's size, statements and transactions wait
 * here, not in postgres.js, which would pipeline them onto busy connections. PgBouncer (1.18 here) hands the server
 * back at the first statement's end and drops the rest's answers ("got packet from server when not linked"); the
 * connection then waits for ever. Under bench:load's peak every connection of an instance ended that way, its
 * readiness failed and HAProxy answered 503 for the rest of the run. (postgres.js's `max_pipeline: 0` would do it,
 * but then `begin` never learns its connection and throws.) A transaction's own statements stay on its connection.
 * Every way in is tracked: drizzle's statements (`unsafe`), tagged-template statements and `begin` on the returned
 * client. Since postgres.js sends a statement with plain parameters in one go (scripts/patches/), such a statement
 * no longer parks its connection until answered, so nothing but these slots keeps the next one off it.
 */
export function trackPoolUsage(sql: Sql, max: number, opts: { onePerConnection?: boolean } = {}): { sql: Sql; usage: () => PoolUsage } {
  let statements = 0;
  let transactions = 0;
  let lastAnsweredAt = Number.NEGATIVE_INFINITY;
  // The slots of `onePerConnection`: one per connection, handed on in arrival order.
  let held = 0;
  const line: (() => void)[] = [];
  const acquire = (): Promise<void> | null => {
    if (!opts.onePerConnection) return null;
    if (held < max) {
      held++;
      return null;
    }
    return new Promise((resolve) => line.push(resolve));
  };
  const release = () => {
    if (!opts.onePerConnection) return;
    // After postgres.js has put the connection back among its idle ones (the answer is handled first), so the next
    // statement finds it idle instead of being pipelined behind a connection still marked busy.
    setImmediate(() => {
      const next = line.shift();
      if (next) next();
      else held--;
    });
  };
  type PendingQuery = { handler: (q: unknown) => unknown; resolve: (x: unknown) => void; reject: (x: unknown) => void };
  // Counted from when the pool takes the query (not when it is built) until it settles; building it runs nothing.
  const track = <Q>(built: Q): Q => {
    const query = built as unknown as PendingQuery;
    const { handler, resolve, reject } = query;
    let counted = false;
    let holding = false;
    const done = () => {
      if (counted) statements--;
      counted = false;
      if (holding) release();
      holding = false;
    };
    query.handler = (q) => {
      if (!counted) statements++;
      counted = true;
      const wait = acquire();
      if (!wait) {
        holding = opts.onePerConnection === true;
        return handler(q);
      }
      return wait.then(() => {
        holding = true;
        return handler(q);
      });
    };
    query.resolve = (x) => ((lastAnsweredAt = performance.now()), done(), resolve(x));
    query.reject = (x) => (done(), reject(x));
    return built;
  };
  const tracked = new Proxy(sql, {
    // A tagged-template statement (sql`…`): tracked like drizzle's. A call that builds no statement (sql(identifier),
    // sql(rows, columns) helpers) is handed back as it is.
    apply(target, thisArg, args: unknown[]) {
      const built: unknown = Reflect.apply(target as unknown as (...a: unknown[]) => unknown, thisArg, args);
      return built && typeof (built as PendingQuery).handler === 'function' && typeof (built as PendingQuery).resolve === 'function' ? track(built) : built;
    },
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (...args: Parameters<Sql['unsafe']>) => track(target.unsafe(...args));
      }
      if (property === 'begin') {
        return async (...args: unknown[]) => {
          transactions++;
          const wait = acquire();
          if (wait) await wait;
          try {
            // Its statements run on the transaction's own connection, past this proxy: its commit is the answer.
            const result = await (Reflect.get(target, property) as (...a: unknown[]) => Promise<unknown>)(...args);
            lastAnsweredAt = performance.now();
            return result;
          } finally {
            transactions--;
            release();
          }
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
