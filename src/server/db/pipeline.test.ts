import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../tests/helpers/db';
import { pgErrorCode } from '../errors';
import { createDatabase, type DatabaseHandle } from './client';
import { settleAll } from './pipeline';

describe('settleAll', () => {
  it('waits for every statement before throwing', async () => {
    let slowDone = false;
    const slow = new Promise((resolve) => setTimeout(() => resolve((slowDone = true)), 30));
    await expect(settleAll([Promise.reject(new Error('first')), slow])).rejects.toThrow('first');
    expect(slowDone).toBe(true);
  });

  describe('in a real transaction', () => {
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let handle: DatabaseHandle;
    beforeAll(async () => {
      database = await createTestDatabase();
      handle = createDatabase({ url: database.url, poolMax: 2, prepare: true, statementTimeoutMs: 5000 });
      await handle.db.execute(sql`create table pipeline_probe (id int primary key)`);
      await handle.db.execute(sql`insert into pipeline_probe values (1)`);
    });
    afterAll(async () => {
      await handle.close();
      await database.drop();
    });

    it("throws the statement's own failure, not a later sibling's 'current transaction is aborted'; nothing is kept", async () => {
      const error = await handle.db
        .transaction((tx) =>
          // The later statements answer 25P02; listed first here, they must not hide the unique violation.
          settleAll([
            new Promise((r) => setTimeout(r, 0)).then(() => tx.execute(sql`insert into pipeline_probe values (3)`)),
            tx.execute(sql`insert into pipeline_probe values (1)`),
          ]),
        )
        .catch((e: unknown) => e);
      expect(pgErrorCode(error)).toBe('23505');
      const rows = await handle.db.execute<{ id: number }>(sql`select id from pipeline_probe order by id`);
      expect([...rows].map((r) => r.id)).toEqual([1]);
    });
  });
});
