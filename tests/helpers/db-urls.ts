export const TEMPLATE_DATABASE = 'mi_test_template';

/** The server the tests run against (vitest.config sets DATABASE_URL; CI and development use the local one). */
export function adminUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}
