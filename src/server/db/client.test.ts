import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
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

describe('behind PgBouncer in transaction mode (DATABASE_PREPARE=false)', () => {
  it('answers every statement of a peak: none is pipelined behind another and lost', async () => {
    const database = await createTestDatabase();
    const target = new URL(database.url);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mi-pgbouncer-'));
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    await writeFile(path.join(dir, 'users.txt'), `"${target.username || 'postgres'}" ""\n`, { mode: 0o644 });
    await writeFile(
      path.join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `* = host=${target.hostname} port=${target.port || 5432}`,
        '[pgbouncer]',
        `listen_addr = 127.0.0.1`,
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${path.join(dir, 'users.txt')}`,
        'pool_mode = transaction',
        'server_reset_query =',
        'ignore_startup_parameters = extra_float_digits,statement_timeout,options',
      ].join('\n'),
      { mode: 0o644 },
    );
    // PgBouncer refuses to run as root.
    const bouncer = spawn('pgbouncer', [...(process.getuid?.() === 0 ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
    const pooled = new URL(database.url);
    pooled.host = `127.0.0.1:${port}`;
    const handle = createDatabase({ url: pooled.toString(), poolMax: 2, prepare: false, statementTimeoutMs: 5000 });
    try {
      for (let i = 0; i < 50 && !(await handle.sql`select 1`.then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
      // 400 statements on 2 connections, with and without parameters: pipelined, about half never came back.
      const answers = await Promise.allSettled(
        Array.from({ length: 400 }, (_, i) =>
          Promise.race([
            handle.db.execute(i % 2 ? sql`select 1 as x` : sql`select ${i}::int as x`).then(() => 'answered'),
            new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3_000)),
          ]),
        ),
      );
      expect(answers.filter((a) => a.status === 'rejected')).toEqual([]);
      // And transactions, which hold their connection, still work between them.
      expect(await handle.db.transaction(async (tx) => (await tx.execute(sql`select 7 as x`))[0])).toEqual({ x: 7 });
    } finally {
      await handle.close();
      bouncer.kill();
      await database.drop();
    }
  });
});
