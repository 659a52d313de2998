import postgres from 'postgres';
import { runMigrations } from '../src/server/db/migrate';
import { TEMPLATE_DATABASE, adminUrl, databaseUrl } from './helpers/db-urls';

/** Builds one migrated template database; each test file clones it (CREATE DATABASE ... TEMPLATE), which takes ~100 ms. */
export default async function setup(): Promise<() => Promise<void>> {
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
  await admin.unsafe(`create database ${TEMPLATE_DATABASE}`);
  const template = postgres(databaseUrl(TEMPLATE_DATABASE), { max: 1, onnotice: () => {} });
  await runMigrations(template);
  await template.end();
  // Leftovers of earlier runs that were killed before their teardown.
  const stale = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'mi_t_%'`;
  for (const { datname } of stale) await admin.unsafe(`drop database if exists ${datname} with (force)`);
  await admin.end();
  return async () => {
    const a = postgres(adminUrl(), { max: 1, onnotice: () => {} });
    const rows = await a<{ datname: string }[]>`select datname from pg_database where datname like 'mi_t_%'`;
    for (const { datname } of rows) await a.unsafe(`drop database if exists ${datname} with (force)`);
    await a.end();
  };
}
