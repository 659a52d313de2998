import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../tests/helpers/db';
import { createDatabase, schema, type DatabaseHandle, type Executor } from './client';

/** The statements this connection has prepared (pool of one, so it is the connection that ran the queries). */
async function prepared(db: Executor): Promise<string[]> {
  const rows = await db.execute<{ statement: string }>(sql`select statement from pg_prepared_statements`);
  return rows.map((r) => r.statement);
}

const storeByCode = (db: Executor, code: string) => db.select({ id: schema.stores.id }).from(schema.stores).where(eq(schema.stores.code, code));

describe('database client', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const handles: DatabaseHandle[] = [];
  const open = (prepare: boolean) => {
    const handle = createDatabase({ url: database.url, poolMax: 1, prepare, statementTimeoutMs: 5000 });
    handles.push(handle);
    return handle;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(handles.map((h) => h.close()));
    await database.drop();
  });

  it("prepares drizzle's queries, also in transactions and savepoints (drizzle's driver would not: drizzle-orm#6096)", async () => {
    const { db } = open(true);
    await storeByCode(db, 'x');
    expect((await prepared(db)).some((s) => s.includes('from "stores"') && s.includes('"code" = $1'))).toBe(true);

    const inTransaction = await db.transaction(async (tx) => {
      await tx.select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.email, 'x'));
      const inSavepoint = await tx.transaction(async (sp) => {
        await sp.select({ id: schema.products.id }).from(schema.products).where(eq(schema.products.ean, 'x'));
        return prepared(sp);
      });
      return { inSavepoint };
    });
    const statements = await prepared(db);
    expect(statements.some((s) => s.includes('from "users"'))).toBe(true);
    expect(inTransaction.inSavepoint.some((s) => s.includes('from "products"'))).toBe(true);
  });

  it('prepares nothing with DATABASE_PREPARE off (PgBouncer in transaction mode)', async () => {
    const { db } = open(false);
    await storeByCode(db, 'x');
    await db.transaction((tx) => storeByCode(tx, 'y'));
    expect(await prepared(db)).toEqual([]);
  });
});
