import type { Env } from '~/env';
import type { Logger } from '../logger';
import { startEmbeddedPostgres } from './embedded';

/** DATABASE_URL when set; otherwise the embedded server under DATA_DIR (started here; `signal` aborts its start). */
export async function resolveDatabaseUrl(env: Env, logger: Logger, signal?: AbortSignal): Promise<{ url: string; embedded: boolean; stop: () => Promise<void> }> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: false, stop: async () => {} };
  const handle = await startEmbeddedPostgres({ dataDir: env.DATA_DIR, port: env.EMBEDDED_PG_PORT, logger, signal });
  return { url: handle.url, embedded: true, stop: handle.stop };
}
