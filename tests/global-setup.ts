import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../src/server/db/migrate';
import { adminUrl, databaseUrl, runDatabasePrefix, staleRunDatabases, templateDatabase } from './helpers/db-urls';

declare module 'vitest' {
  export interface ProvidedContext {
    testRunId: string;
  }
}

/**
 * Builds one migrated template database for this run; each test file clones it (CREATE DATABASE … TEMPLATE,
 * ~100 ms). Names carry the run id, so runs side by side (two developers, a helper) never touch each other's.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  project.provide('testRunId', runId);
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  const dropAll = async (names: string[]) => {
    for (const name of names) await admin.unsafe(`drop database if exists ${name} with (force)`);
  };
  const all = async () => (await admin<{ datname: string }[]>`select datname from pg_database where datname like 'mi\\_t%'`).map((r) => r.datname);
  // Leftovers of runs killed before their teardown, older than two hours.
  await dropAll(staleRunDatabases(await all(), Date.now() - 2 * 3600_000));
  const template = templateDatabase(runId);
  await admin.unsafe(`create database ${template}`);
  await runMigrations(databaseUrl(template));
  return async () => {
    await dropAll((await all()).filter((name) => name.startsWith(runDatabasePrefix(runId))));
    await admin.end();
  };
}
