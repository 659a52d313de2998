import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { adminUrl, databaseUrl, runDatabasePrefix, templateDatabase } from './db-urls';

/** A database of this test file's own, cloned from the run's migrated template: files run in parallel without sharing rows. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const runId = inject('testRunId');
  const name = `${runDatabasePrefix(runId)}${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    // Cloning needs the template to have no other connections; sibling files cloning at the same time retry.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database ${name} template ${templateDatabase(runId)}`);
        break;
      } catch (error) {
        if (attempt >= 30 || !String((error as Error).message).includes('is being accessed by other users')) throw error;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(name),
    drop: async () => {
      const a = postgres(adminUrl(), { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
