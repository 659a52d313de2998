import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../tests/helpers/db';
import { isTransientDatabaseError } from './errors';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let a: postgres.Sql;
let b: postgres.Sql;

beforeAll(async () => {
  database = await createTestDatabase();
  a = postgres(database.url, { max: 1, onnotice: () => {} });
  b = postgres(database.url, { max: 1, onnotice: () => {} });
  await a`create table rows (id int primary key, n int not null default 0)`;
  await a`insert into rows (id) values (1), (2)`;
});
afterAll(async () => {
  await Promise.all([a.end({ timeout: 1 }), b.end({ timeout: 1 })]);
  await database.drop();
});

/** The error PostgreSQL gives `run`, whatever it is. */
const errorOf = (run: () => Promise<unknown>) => run().then(() => null, (error: unknown) => error);

describe('which database errors a job retries without spending an attempt', () => {
  it('a real deadlock is transient: one of the two transactions is chosen to fail and may simply run again', async () => {
    let lockedByB!: () => void;
    const bHolds = new Promise<void>((resolve) => (lockedByB = resolve));
    const results = await Promise.all([
      errorOf(() =>
        a.begin(async (tx) => {
          await tx`update rows set n = n + 1 where id = 1`;
          await bHolds;
          await tx`update rows set n = n + 1 where id = 2`;
        }),
      ),
      errorOf(() =>
        b.begin(async (tx) => {
          await tx`update rows set n = n + 1 where id = 2`;
          lockedByB();
          await new Promise((r) => setTimeout(r, 100));
          await tx`update rows set n = n + 1 where id = 1`;
        }),
      ),
    ]);
    const failures = results.filter(Boolean);
    expect(failures).toHaveLength(1);
    expect((failures[0] as { code: string }).code).toBe('40P01');
    expect(isTransientDatabaseError(failures[0])).toBe(true);
    // Wrapped, as Drizzle wraps it (the cause is the driver's error).
    expect(isTransientDatabaseError(new Error('Failed query', { cause: failures[0] }))).toBe(true);
  });

  it('a lock wait past lock_timeout and a terminated connection are transient; a broken rule is not', async () => {
    const lockTimeout = await errorOf(() =>
      a.begin(async (holder) => {
        await holder`update rows set n = n + 1 where id = 1`;
        const waited = await errorOf(() =>
          b.begin(async (tx) => {
            await tx`set local lock_timeout = '50ms'`;
            await tx`update rows set n = n + 1 where id = 1`;
          }),
        );
        throw waited;
      }),
    );
    expect((lockTimeout as { code: string }).code).toBe('55P03');
    expect(isTransientDatabaseError(lockTimeout)).toBe(true);

    const pid = (await b<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;
    const terminated = await errorOf(() => Promise.all([b`select pg_sleep(5)`, a`select pg_terminate_backend(${pid})`]));
    expect(isTransientDatabaseError(terminated)).toBe(true);

    const duplicate = await errorOf(() => a`insert into rows (id) values (1)`);
    expect((duplicate as { code: string }).code).toBe('23505');
    expect(isTransientDatabaseError(duplicate)).toBe(false);
    expect(isTransientDatabaseError(new Error('FCM said no'))).toBe(false);
  });
});
