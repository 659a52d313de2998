import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../tests/helpers/db';
import { freePort } from '../../../tests/helpers/free-port';
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

  it("counts the client's own statements and transactions as drizzle's, and makes them wait for a connection the same way", async () => {
    const { sql: client, poolUsage } = open(false);
    const sleeping = client`select pg_sleep(0.3)`.then(() => 'slept');
    await new Promise((r) => setTimeout(r, 30));
    const waiting = client.begin((tx) => tx`select 1 as x`).then(() => 'answered');
    await new Promise((r) => setTimeout(r, 100));
    // The pool has one connection: the tagged statement holds it, the transaction waits for it (not pipelined onto it).
    expect(poolUsage()).toMatchObject({ max: 1, inUse: 1, waiting: 1 });
    expect(await Promise.all([sleeping, waiting])).toEqual(['slept', 'answered']);
    expect(poolUsage()).toMatchObject({ inUse: 0, waiting: 0 });
    // A call that builds no statement is handed back as it is.
    expect(await client`select ${client('id')} from (select 1 as id) t`).toEqual([{ id: 1 }]);
  });

  it('prepares nothing with DATABASE_PREPARE off (PgBouncer in transaction mode)', async () => {
    const { db } = open(false);
    await storeByCode(db, 'x');
    await db.transaction((tx) => storeByCode(tx, 'y'));
    expect(await prepared(db)).toEqual([]);
  });
});

/** PgBouncer in transaction mode before `databaseUrl`, on a free port; `stop` ends it. */
async function startPgBouncer(databaseUrl: string): Promise<{ url: string; port: number; stop: () => void }> {
  const target = new URL(databaseUrl);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mi-pgbouncer-'));
  const port = await freePort();
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
  const pooled = new URL(databaseUrl);
  pooled.host = `127.0.0.1:${port}`;
  return { url: pooled.toString(), port, stop: () => bouncer.kill() };
}

/** A TCP relay to `port` that counts what the client sends: each time it sends is one round trip begun. */
async function countingRelay(port: number): Promise<{ port: number; sends: () => number; close: () => void }> {
  let sends = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => (client.destroy(), upstream.destroy()));
    }
    client.on('data', (chunk) => {
      sends++;
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, sends: () => sends, close: () => (server.close(), sockets.forEach((s) => s.destroy())) };
}

describe('behind PgBouncer in transaction mode (DATABASE_PREPARE=false)', () => {
  it('answers every statement of a peak: none is pipelined behind another and lost', async () => {
    const database = await createTestDatabase();
    const bouncer = await startPgBouncer(database.url);
    const handle = createDatabase({ url: bouncer.url, poolMax: 2, prepare: false, statementTimeoutMs: 5000 });
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
      bouncer.stop();
      await database.drop();
    }
  });

  it("sends a statement whose parameters are plain values in one round trip, and a transaction's statements sent together at once (scripts/patches/postgres+3.4.9.patch)", async () => {
    const database = await createTestDatabase();
    const bouncer = await startPgBouncer(database.url);
    const relay = await countingRelay(bouncer.port);
    const relayed = new URL(bouncer.url);
    relayed.host = `127.0.0.1:${relay.port}`;
    const handle = createDatabase({ url: relayed.toString(), poolMax: 1, prepare: false, statementTimeoutMs: 5000 });
    try {
      for (let i = 0; i < 50 && !(await handle.sql`select 1`.then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
      // Unpatched, postgres.js asks for the parameters' types first (Parse, Describe, Flush), then binds: two each.
      let before = relay.sends();
      for (let i = 0; i < 10; i++) await storeByCode(handle.db, `code-${i}`);
      expect(relay.sends() - before).toBe(10);

      // begin; the five statements together; commit (unpatched: 1 + 5 × 2 + 1, each waiting for the one before).
      before = relay.sends();
      const codes = await handle.db.transaction((tx) => Promise.all(Array.from({ length: 5 }, (_, i) => tx.execute<{ code: string }>(sql`select ${`s${i}`}::text as code`))));
      expect(codes.map((rows) => rows[0]!.code)).toEqual(['s0', 's1', 's2', 's3', 's4']);
      expect(relay.sends() - before).toBe(3);

      // Every plain kind of value arrives as the column's type says; an array (not plain) is still described first.
      const when = '2026-01-02T03:04:05.000Z';
      const [row] = await handle.sql<{ s: string; n: number; b: boolean; z: null; t: boolean; j: unknown; u: string; a: number[] }[]>`
        select ${'ação'}::text as s, ${42}::int as n, ${true}::boolean as b, ${null}::text as z, ${when}::timestamptz = '2026-01-02 03:04:05+00' as t,
               ${JSON.stringify({ a: [1, 'x'] })}::jsonb as j, ${'7e57d004-2b97-4e7a-b45d-5387367abe7a'}::uuid as u, ${handle.sql.array([1, 2])}::int[] as a`;
      expect(row).toEqual({ s: 'ação', n: 42, b: true, z: null, t: true, j: { a: [1, 'x'] }, u: '7e57d004-2b97-4e7a-b45d-5387367abe7a', a: [1, 2] });
    } finally {
      await handle.close();
      relay.close();
      bouncer.stop();
      await database.drop();
    }
  });
});
