import { defineConfig } from 'drizzle-kit';

// drizzle-kit runs outside the app; generation needs no database, `db:migrate` uses our own migrator.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/server/db/schema/index.ts',
  out: './drizzle',
  casing: 'snake_case',
});
