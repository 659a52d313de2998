import postgres from 'postgres';
import { newApiToken, sha256 } from '~/server/auth/secrets';
import { runMigrations } from '~/server/db/migrate';
import { SCALE_ORG_SLUG, seedScale } from '~/server/seed/scale';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const urlOf = (database: string) => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
};

/**
 * A fresh database for the dashboard benchmarks: migrated, seeded at `scale`, its buyer-approval view refreshed, and
 * an API token of one of the scale org's managers (what the dashboard's callers are).
 */
export async function prepareDashboardBench(opts: { database: string; scale: number; log: (msg: string) => void }) {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${opts.database} with (force)`);
  await admin.unsafe(`create database ${opts.database}`);
  await admin.end();
  const dbUrl = urlOf(opts.database);
  await runMigrations(dbUrl);
  const sql = postgres(dbUrl, { max: 4, onnotice: () => {} });
  opts.log(`seeding scale ${opts.scale}…`);
  const seeded = await seedScale(sql, { scale: opts.scale });
  await sql`refresh materialized view mv_buyer_approval_stats`;
  const [manager] = await sql<{ id: string }[]>`select u.id from users u join organizations o on o.id = u.org_id where o.slug = ${SCALE_ORG_SLUG} and u.role = 'manager' order by u.email limit 1`;
  const { token, prefix } = newApiToken();
  await sql`insert into api_tokens (org_id, user_id, created_by, name, prefix, token_hash) values (${seeded.orgId}, ${manager!.id}, ${manager!.id}, 'bench', ${prefix}, ${sha256(token)})`;
  await sql.end();
  return { dbUrl, token, orgId: seeded.orgId };
}

export async function dropDashboardBenchDatabase(database: string) {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.end();
}
