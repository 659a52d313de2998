import postgres from 'postgres';

/**
 * What PostgreSQL's busy connections are doing, sampled every `everyMs` from pg_stat_activity while a load runs:
 * running on CPU, or waiting (a lock, the WAL flush of a commit, I/O, the client…), and for lock waits which
 * statement waits. Answers "where does a slow procedure wait" without an extension or a restart.
 */
export function samplePgActivity(databaseUrl: string, everyMs = 250) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const waits = new Map<string, number>();
  const lockedStatements = new Map<string, number>();
  let samples = 0;
  let active = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const rows = await sql<{ wait: string; query: string }[]>`
        select coalesce(wait_event_type || ':' || wait_event, 'CPU') as wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 120) as query
        from pg_stat_activity
        where state = 'active' and backend_type = 'client backend' and pid <> pg_backend_pid() and datname = current_database()`.catch(() => []);
      samples++;
      active += rows.length;
      for (const r of rows) {
        waits.set(r.wait, (waits.get(r.wait) ?? 0) + 1);
        if (r.wait.startsWith('Lock:')) lockedStatements.set(r.query, (lockedStatements.get(r.query) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  const top = (counts: Map<string, number>, n: number) =>
    Object.fromEntries(
      [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, v]) => [k, Math.round((v / Math.max(1, samples)) * 100) / 100]),
    );
  return {
    /** Averages per sample: busy connections, by what they were doing, and the statements most often waiting on a lock. */
    async stop() {
      stopped = true;
      await loop;
      await sql.end();
      return { samples, everyMs, activeConnections: Math.round((active / Math.max(1, samples)) * 100) / 100, byWait: top(waits, 12), lockWaitsByStatement: top(lockedStatements, 8) };
    },
  };
}
