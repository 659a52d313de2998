import { randomUUID } from 'node:crypto';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMyInventoryClient, TRPCClientError } from '~/client';
import { startApiProcess } from '../../../tests/helpers/api-process';
import { callerFor, createOperatorFixture, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { SESSION_COOKIE } from '../auth/secrets';
import type { Services } from '../services';
import { appRouter } from './root';

/**
 * The whole class of "bad input reaches a 5xx", proved for every procedure of the router like the access matrix
 * proves authorization: each gets a sample input built from its own schema, then that input with NUL text in
 * every string, dates at and past the extremes, crafted cursors, 2 MB strings, deep nesting, a BigInt and a
 * cycle, through raw HTTP and through the typed client. No answer may be a 5xx, and the process must give its
 * memory back afterwards.
 */
type Def = { type?: string; shape?: Record<string, Schema>; innerType?: Schema; in?: Schema; element?: Schema; options?: Schema[]; entries?: Record<string, string>; values?: unknown[]; format?: string; checks?: unknown[] };
type Schema = { _zod: { def: Def } };
type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: Schema[] } };
const procedures = (appRouter as unknown as { _def: { procedures: Record<string, Procedure> } })._def.procedures;

/** A plausible value for a schema: enough to get past its shape, not necessarily its refinements. */
function sample(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return undefined;
  const def = schema._zod.def;
  switch (def.type) {
    case 'object':
      return Object.fromEntries(Object.entries(def.shape ?? {}).map(([k, v]) => [k, sample(v, depth + 1)]).filter(([, v]) => v !== undefined));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return sample(def.innerType, depth + 1);
    case 'pipe':
      return sample(def.in, depth + 1);
    case 'union':
      return sample(def.options?.[0], depth + 1);
    case 'array':
      return [sample(def.element, depth + 1)];
    case 'enum':
      return Object.values(def.entries ?? {})[0];
    case 'literal':
      return def.values?.[0];
    case 'string':
      return def.format === 'uuid' ? randomUUID() : def.format === 'email' ? 'alguem@hostile.test' : def.format === 'url' ? 'https://example.com/a.png' : 'x';
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'date':
      return new Date();
    default:
      return undefined;
  }
}

/** Every leaf of `value` passed through `leaf` (objects and arrays rebuilt). */
function mapLeaves(value: unknown, leaf: (v: unknown, key: string) => unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => mapLeaves(v, leaf, key));
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapLeaves(v, leaf, k)]));
  return leaf(value, key);
}

const cursorOf = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
const CRAFTED_CURSORS = [cursorOf(['2026-02-30T00:00:00.000Z', randomUUID()]), cursorOf(['0000-01-01T00:00:00.000Z', randomUUID()]), cursorOf([['x'], { y: 1 }]), cursorOf([1e300]), 'não-é-base64'];
const EXTREME_DATES = [new Date('0000-01-01T00:00:00Z'), new Date(8.64e15), new Date(-8.64e15), new Date(Number.NaN)];

/** The hostile versions of a sample input, each as the superjson payload a client would send. */
function hostileInputs(base: unknown): { name: string; payload: string }[] {
  const payload = (value: unknown) => JSON.stringify(superjson.serialize(value));
  const out = [
    { name: 'sample', payload: payload(base) },
    { name: 'NUL text', payload: payload(mapLeaves(base, (v) => (typeof v === 'string' ? `a\u0000${v}` : v))) },
    { name: '2 MB text', payload: payload(mapLeaves(base, (v) => (typeof v === 'string' ? 'x'.repeat(2 * 1024 * 1024) : v))) },
    { name: 'deep nesting', payload: `{"json":${'['.repeat(20_000)}${']'.repeat(20_000)}}` },
    { name: 'BigInt', payload: JSON.stringify({ json: { limit: '5', id: '1' }, meta: { values: { limit: ['bigint'], id: ['bigint'] } } }) },
    { name: 'cycle', payload: JSON.stringify({ json: { limit: 5, search: null, id: null }, meta: { referentialEqualities: [['search', 'id']] } }) },
    { name: 'not JSON', payload: '{"json": [' },
  ];
  for (const date of EXTREME_DATES) out.push({ name: `date ${date.getTime()}`, payload: payload(mapLeaves(base, (v) => (v instanceof Date ? date : v))) });
  for (const cursor of CRAFTED_CURSORS) {
    if (base && typeof base === 'object' && 'limit' in base) out.push({ name: `cursor ${cursor.slice(0, 12)}`, payload: payload({ ...base, cursor }) });
  }
  return out;
}

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;
let operatorSecret: string;
let api: Awaited<ReturnType<typeof startApiProcess>>;
let base: string;

beforeAll(async () => {
  const limits = { RATE_LIMIT_USER_PER_MINUTE: '1000000', RATE_LIMIT_ANON_PER_MINUTE: '1000000' };
  let database: { url: string };
  ({ services, close, database } = await createTestServices(limits));
  org = await createOrgFixture(services, 'hostile-matrix');
  operatorSecret = (await createOperatorFixture(services, 'hostile-matrix')).secret;
  // The server in a process of its own, so its memory is measured apart from this test's.
  api = await startApiProcess({ port: 3890 + Math.floor(Math.random() * 100), env: { ...limits, DATABASE_URL: database.url, REDIS_KEY_PREFIX: services.env.REDIS_KEY_PREFIX } });
  base = api.url;
});
afterAll(async () => {
  await api.stop();
  await close();
});

const callable = Object.entries(procedures).filter(([, p]) => p._def.type !== 'subscription');

describe('hostile input, every procedure', () => {
  it('lists every procedure but the live stream', () => {
    expect(callable.length).toBe(Object.keys(procedures).length - 1);
  });

  it('never answers 5xx over raw HTTP, as the admin, a clerk and the platform operator, and gives its memory back', async () => {
    const failures: string[] = [];
    let calls = 0;
    const run = async (only?: string) => {
      const secrets = { admin: org.secrets.admin, clerk: org.secrets.clerk, operator: operatorSecret };
      for (const [role, secret] of Object.entries(secrets)) {
        for (const [path, procedure] of callable) {
          // Logging out would end the session the rest of the matrix uses.
          if (path === 'auth.logout') continue;
          for (const { name, payload } of hostileInputs(sample(procedure._def.inputs[0])).filter((h) => !only || h.name === only)) {
            const init: RequestInit = { headers: { cookie: `${SESSION_COOKIE}=${secret}`, 'content-type': 'application/json' } };
            const res =
              procedure._def.type === 'query'
                ? await fetch(`${base}/api/trpc/${path}?input=${encodeURIComponent(payload)}`, init).catch(() => null)
                : await fetch(`${base}/api/trpc/${path}`, { ...init, method: 'POST', body: payload }).catch(() => null);
            calls++;
            // Only an oversized body may see its connection closed under it (413, then close); nothing else.
            if (!res) {
              if (name !== '2 MB text') failures.push(`${role} ${path} (${name}): no answer`);
              continue;
            }
            await res.arrayBuffer();
            if (res.status >= 500) failures.push(`${role} ${path} (${name}): ${res.status}`);
          }
        }
      }
    };
    // Warmed up by ordinary calls first: what is measured is what the hostile ones leave behind.
    await run('sample');
    const rssBefore = await api.settledRssMb();
    await run();
    expect(calls).toBeGreaterThan(callable.length * 20);
    expect(failures).toEqual([]);
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    const rssAfter = await api.settledRssMb();
    console.info(`hostile matrix: ${calls} calls, server RSS ${rssBefore.toFixed(0)} MB before, ${rssAfter.toFixed(0)} MB after`);
    expect(rssAfter - rssBefore).toBeLessThan(50);
  }, 300_000);

  it('never answers 5xx through the typed client either (an API token)', async () => {
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    const { token } = await admin.admin.tokens.create({ name: 'matrix', expiresInDays: 1 });
    const client = createMyInventoryClient({ url: base, token }) as unknown as Record<string, Record<string, unknown>>;
    const failures: string[] = [];
    for (const [path, procedure] of callable) {
      if (path === 'auth.logout') continue;
      const input = sample(procedure._def.inputs[0]);
      const variants = [
        mapLeaves(input, (v) => (typeof v === 'string' ? `a\u0000${v}` : v)),
        ...EXTREME_DATES.map((date) => mapLeaves(input, (v) => (v instanceof Date ? date : v))),
        ...(input && typeof input === 'object' && 'limit' in input ? CRAFTED_CURSORS.map((cursor) => ({ ...input, cursor })) : []),
      ];
      const target = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], client) as Record<string, (input: unknown) => Promise<unknown>>;
      for (const variant of variants) {
        try {
          await target[procedure._def.type === 'query' ? 'query' : 'mutate']!(variant);
        } catch (error) {
          const status = error instanceof TRPCClientError ? (error.data as { httpStatus?: number } | undefined)?.httpStatus : 599;
          if (!status || status >= 500) failures.push(`${path}: ${status} ${(error as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
