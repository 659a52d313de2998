/** The server the tests run against (vitest.config sets DATABASE_URL; CI and development use the local one). */
export function adminUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Every database of a test run starts with this; the run id begins with its start time in base 36. */
export const runDatabasePrefix = (runId: string) => `mi_t${runId}_`;
export const templateDatabase = (runId: string) => `${runDatabasePrefix(runId)}tpl`;

export function staleRunDatabases(names: string[], olderThanMs: number): string[] {
  return names.filter((name) => {
    const started = parseInt(/^mi_t([0-9a-z]{8})/.exec(name)?.[1] ?? '', 36);
    return Number.isFinite(started) && started < olderThanMs;
  });
}
