import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgFixture, createTestServices } from '../../../tests/helpers/harness';
import type { Services } from '../services';

const run = promisify(execFile);

let services: Services;
let close: () => Promise<void>;
let url: string;
let dir: string;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  url = services.env.DATABASE_URL!;
  await createOrgFixture(services, 'backup');
  dir = mkdtempSync(path.join(tmpdir(), 'mi-backup-'));
});
afterAll(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

/** The real npm scripts, as an operator runs them. */
async function script(name: 'db:backup' | 'db:restore', args: string[], env: Record<string, string | undefined> = {}) {
  try {
    const { stdout } = await run('npx', ['tsx', `scripts/${name === 'db:backup' ? 'db-backup' : 'db-restore'}.ts`, ...args], {
      env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: url, ...env },
    });
    return { code: 0, out: JSON.parse(stdout.trim()) as Record<string, unknown>, err: '' };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, out: null, err: failed.stderr };
  }
}

/** Every table's rows, as one comparable picture of the database (sorted text of each row). */
async function picture() {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql<{ name: string }[]>`select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname in ('public', 'drizzle') order by 1`;
    const out: Record<string, string[]> = {};
    for (const { name } of tables) out[name] = (await sql.unsafe(`select t::text as row from ${name} t`)).map((r) => String(r.row)).sort();
    return out;
  } finally {
    await sql.end();
  }
}

describe('db:backup and db:restore', () => {
  it('back up, change data (and the schema, as a later migration would), restore: the database is the backup’s again', async () => {
    const file = path.join(dir, 'first.dump');
    const before = await picture();
    const backup = await script('db:backup', ['--file', file]);
    expect(backup).toMatchObject({ code: 0, out: { file, serverMajor: expect.any(Number) } });
    expect(statSync(file).size).toBeGreaterThan(1000);

    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await sql`update stores set name = 'Renomeada depois do backup'`;
      await sql`delete from audit_log`;
      await sql`create table later_migration (id int primary key)`;
    } finally {
      await sql.end();
    }
    expect(await picture()).not.toEqual(before);

    const restored = await script('db:restore', ['--file', file, '--yes']);
    expect(restored).toMatchObject({ code: 0, out: { restored: file } });
    expect(await picture()).toEqual(before);
  });

  it('a restore that fails part way changes nothing; a cut file, or no --yes or file, is refused before anything', async () => {
    // A backup whose restore fails in the middle of loading the data: a stored column computed by a function that
    // finds its helper only on the search_path (pg_dump's output runs with an empty one; 0028 fixed ours).
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const file = path.join(dir, 'poisoned.dump');
    try {
      await sql.unsafe(`
        create function restore_helper(text) returns text language sql immutable as $$ select lower($1) $$;
        create function restore_outer(text) returns text language plpgsql immutable as $$ begin return restore_helper($1); end $$;
        create table zz_restore_poison (t text, g text generated always as (restore_outer(t)) stored);
        insert into zz_restore_poison (t) values ('A');`);
      expect((await script('db:backup', ['--file', file])).code).toBe(0);
      await sql`update stores set name = 'Depois do backup envenenado'`;
      const before = await picture();
      const failed = await script('db:restore', ['--file', file, '--yes']);
      expect(failed.code).not.toBe(0);
      expect(failed.err).toMatch(/nothing was changed.*restore_helper/s);
      expect(await picture()).toEqual(before);
    } finally {
      await sql.unsafe('drop table if exists zz_restore_poison; drop function if exists restore_outer(text); drop function if exists restore_helper(text);');
      await sql.end();
    }

    const before = await picture();
    const cut = path.join(dir, 'cut.dump');
    expect((await script('db:backup', ['--file', cut])).code).toBe(0);
    truncateSync(cut, Math.floor(statSync(cut).size * 0.7));
    const refused = await script('db:restore', ['--file', cut, '--yes']);
    expect(refused).toMatchObject({ code: 2 });
    expect(refused.err).toContain('is not a backup pg_restore');
    const unconfirmed = await script('db:restore', ['--file', path.join(dir, 'first.dump')]);
    expect(unconfirmed).toMatchObject({ code: 2 });
    expect(unconfirmed.err).toContain('--yes');
    expect((await script('db:restore', ['--yes'])).err).toContain('--file');
    expect(await picture()).toEqual(before);
  });

  it('refuses tools older than the server, and the embedded default without pg_dump, saying what to install', async () => {
    // Client programs of PostgreSQL 14 (stand-ins that only answer --version) against this newer server.
    const old = mkdtempSync(path.join(dir, 'pg14-'));
    for (const tool of ['pg_dump', 'pg_restore', 'psql']) {
      writeFileSync(path.join(old, tool), `#!/bin/sh\necho "${tool} (PostgreSQL) 14.11"\n`);
      chmodSync(path.join(old, tool), 0o755);
    }
    const tooOld = await script('db:backup', ['--file', path.join(dir, 'never.dump')], { PG_BIN_DIR: old });
    expect(tooOld.code).toBe(2);
    expect(tooOld.err).toMatch(/pg_dump 14 .* cannot back up PostgreSQL \d+: install PostgreSQL \d+'s client programs and set PG_BIN_DIR/);

    // The embedded default (no DATABASE_URL): its packaged PostgreSQL has no pg_dump; refused before any start.
    const embedded = await script('db:backup', [], { DATABASE_URL: '', DATA_DIR: path.join(dir, 'embedded') });
    expect(embedded.code).toBe(2);
    expect(embedded.err).toMatch(/embedded PostgreSQL .* ships no pg_dump, pg_restore or psql\. Install PostgreSQL \d+'s client programs and set PG_BIN_DIR/);
  });
});
