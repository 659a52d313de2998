import type { Sql } from 'postgres';
import { SpanStatusCode, startClientSpan } from '../telemetry/spans';

/** Where a statement goes, for its span's attributes (server.address, db.namespace). */
export type StatementTarget = { database: string; host: string; port: number };

const MAX_STATEMENT = 4096;

/**
 * The client drizzle talks to, with a CLIENT span per statement (postgres.js has no OpenTelemetry instrumentation;
 * drizzle sends every statement through `unsafe`, with its values bound apart, so `db.statement` is the text with
 * `$1…` placeholders and never a value). A statement outside any span (the relay's poll, sweeps) gets none, as a
 * Redis command does (redis/ioredis-requester.ts). Transactions and savepoints hand drizzle a new client, so those are wrapped too.
 * Used only with tracing on: off, the client is not wrapped at all.
 */
export function withStatementSpans(sql: Sql, target: StatementTarget): Sql {
  return new Proxy(sql, {
    get(client, property, receiver) {
      switch (property) {
        case 'unsafe':
          return (query: string, ...rest: unknown[]) => {
            const pending = (client.unsafe as (...a: unknown[]) => Promise<unknown>)(query, ...rest);
            const span = startClientSpan(operationOf(query), {
              'db.system': 'postgresql',
              'db.system.name': 'postgresql',
              'db.namespace': target.database,
              'db.statement': query.length > MAX_STATEMENT ? `${query.slice(0, MAX_STATEMENT)}…` : query,
              'db.operation.name': operationOf(query),
              'server.address': target.host,
              'server.port': target.port,
            });
            if (!span) return pending;
            // `then` starts the statement: postgres.js runs it a microtask later, after drizzle's `.values()`.
            pending.then(
              (rows) => {
                if (Array.isArray(rows)) span.setAttribute('db.response.returned_rows', rows.length);
                span.end();
              },
              (error: Error & { code?: string }) => {
                span.setStatus({ code: SpanStatusCode.ERROR, message: error.code ?? error.name });
                if (error.code) span.setAttribute('db.response.status_code', error.code);
                span.end();
              },
            );
            return pending;
          };
        case 'begin':
        case 'savepoint':
          return (...args: unknown[]) => {
            const body = args.pop() as (client: Sql) => unknown;
            return (Reflect.get(client, property) as (...a: unknown[]) => unknown)(...args, (inner: Sql) => body(withStatementSpans(inner, target)));
          };
        default:
          return Reflect.get(client, property, receiver);
      }
    },
  });
}

/** The statement's verb (SELECT, INSERT, WITH, …): a span name that groups alike statements without their text. */
function operationOf(query: string): string {
  const word = /^\s*(?:\/\*[\s\S]*?\*\/\s*)?([A-Za-z]+)/.exec(query)?.[1];
  return word ? word.toUpperCase() : 'SQL';
}

export function statementTarget(url: string): StatementTarget {
  const parsed = new URL(url);
  return { database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres', host: parsed.hostname, port: Number(parsed.port || 5432) };
}
