/**
 * `npm run docs:api`: docs/api.md from the router. Per procedure: its path, kind, who may call it (the builder it
 * comes from and its meta `roles`), the errors every such procedure can give, its description (the JSDoc above it
 * in src/server/api/routers) and its input as JSON Schema (zod's `z.toJSONSchema`, input side). Then the stable
 * `reason`s found in src/server (`new AppError(code, 'reason', …)`, `notFound(…)`) with their tRPC code.
 * Deterministic: src/server/api/api-docs.test.ts fails when the checked-in file differs from a fresh rendering.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import ts from 'typescript';
import { z } from 'zod';
import { appRouter } from '../src/server/api/root';
import { authedProcedure, operatorProcedure, publicProcedure, signedInProcedure, type ProcedureMeta } from '../src/server/api/trpc';
import { userRoles } from '../src/server/db/schema';
import { appErrorCodes, type AppErrorCode } from '../src/server/errors';

export const apiDocsFile = 'docs/api.md';
const root = path.resolve(import.meta.dirname, '..');

type Middlewares = { _def: { middlewares: unknown[] } };
type Procedure = Middlewares & { _def: { type: 'query' | 'mutation' | 'subscription'; meta?: ProcedureMeta; inputs: z.ZodType[] } };
type Access = 'public' | 'signed-in' | 'member' | 'operator';

/** Which builder of src/server/api/trpc.ts a procedure comes from: its middlewares start with that builder's. */
function accessOf(procedure: Procedure, at: string): Access {
  const startsWith = (builder: unknown) => (builder as Middlewares)._def.middlewares.every((m, i) => procedure._def.middlewares[i] === m);
  if (startsWith(operatorProcedure)) return 'operator';
  if (startsWith(authedProcedure)) return 'member';
  if (startsWith(signedInProcedure)) return 'signed-in';
  if (startsWith(publicProcedure)) return 'public';
  throw new Error(`${at} comes from none of the builders of src/server/api/trpc.ts: say here who may call it`);
}

const code = (c: string) => `\`${c}\``;
const httpStatus = (trpcCode: TRPCError['code']) => getHTTPStatusCodeFromError(new TRPCError({ code: trpcCode }));

function whoMayCall(access: Access, meta: ProcedureMeta | undefined): string {
  if (access === 'public') return 'anyone, signed out too';
  if (access === 'signed-in') return 'anyone signed in (a member of an organization or the platform operator)';
  if (access === 'operator') return 'the platform operator only';
  const roles = meta?.roles ? userRoles.filter((r) => meta.roles!.includes(r)).map(code).join(', ') : 'every role';
  return `members of an organization: ${roles}${meta?.duringPasswordChange ? ' (also while on a temporary password)' : ''}`;
}

/** The refusals a procedure can give for what it is (its access and whether it takes input), before its own. */
function genericErrors(access: Access, meta: ProcedureMeta | undefined, hasInput: boolean): string {
  const errors: [string, string[]][] = [];
  if (access !== 'public') errors.push(['UNAUTHORIZED', ['signed_out']]);
  const forbidden = [
    ...(access === 'member' ? ['operator_outside_orgs'] : []),
    ...(access === 'member' && !meta?.duringPasswordChange ? ['password_change_required'] : []),
    ...(meta?.roles ? ['role_required'] : []),
    ...(access === 'operator' ? ['operator_only'] : []),
  ];
  if (forbidden.length > 0) errors.push(['FORBIDDEN', forbidden]);
  if (hasInput) errors.push(['BAD_REQUEST', ['invalid_input', 'nul_character', 'too_deeply_nested', 'too_many_items']]);
  errors.push(['TOO_MANY_REQUESTS', ['rate_limited']]);
  return errors.map(([c, reasons]) => `${c} (${reasons.map(code).join(', ')})`).join('; ');
}

/** The JSDoc above each procedure in the routers' sources, by path (routers nest inline or by name). */
function descriptions(): Map<string, string> {
  const dir = path.join(root, 'src/server/api');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const routers = new Map<string, ts.ObjectLiteralExpression>();
  const routerLiteral = (node: ts.Node | undefined) =>
    node && ts.isCallExpression(node) && node.expression.getText() === 'createTRPCRouter' && node.arguments[0] && ts.isObjectLiteralExpression(node.arguments[0]) ? node.arguments[0] : null;
  for (const file of files.sort()) {
    const source = ts.createSourceFile(file, readFileSync(path.join(dir, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      const literal = ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) ? routerLiteral(node.initializer) : null;
      if (literal) routers.set((node as ts.VariableDeclaration).name.getText(), literal);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  const found = new Map<string, string>();
  const walk = (literal: ts.ObjectLiteralExpression, prefix: string) => {
    for (const property of literal.properties) {
      if (!ts.isPropertyAssignment(property)) continue;
      const at = `${prefix}${property.name.getText()}`;
      const nested = routerLiteral(property.initializer) ?? (ts.isIdentifier(property.initializer) ? routers.get(property.initializer.text) : undefined);
      if (nested) walk(nested, `${at}.`);
      const doc = ts.getJSDocCommentsAndTags(property).map((d) => (ts.isJSDoc(d) ? ts.getTextOfJSDocComment(d.comment) : undefined)).filter(Boolean);
      if (doc.length > 0) found.set(at, doc.join('\n').replace(/\s*\n\s*/g, ' '));
    }
  };
  walk(routers.get('appRouter')!, '');
  return found;
}

/** zod 4's JSON Schema of what the procedure accepts; a Date is superjson's, written as a date-time string. */
function inputSchema(inputs: z.ZodType[]): { schema: unknown; note: string | null } {
  const params = {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === 'date') Object.assign(jsonSchema, { type: 'string', format: 'date-time', description: 'a Date (superjson keeps it one)' });
      // The format says it; zod's long UUID pattern would only repeat it, on every id.
      if (jsonSchema.format === 'uuid') delete jsonSchema.pattern;
    },
  } satisfies Parameters<typeof z.toJSONSchema>[1];
  const schemas = inputs.map((input) => {
    const { $schema: _, ...schema } = z.toJSONSchema(input, params) as Record<string, unknown>;
    if (Object.keys(schema).length > 0) return { schema, note: null };
    // Not JSON at all (an instance check: FormData): what the server reads out of it is the pipe's other end.
    const { $schema: __, ...read } = z.toJSONSchema(input, { ...params, io: 'output' }) as Record<string, unknown>;
    return { schema: read, note: 'Not JSON: sent as multipart/form-data (a `FormData`; the client sends one as it is). The schema is of the fields the server reads from it.' };
  });
  if (schemas.length === 1) return schemas[0]!;
  return { schema: { allOf: schemas.map((s) => s.schema) }, note: schemas.map((s) => s.note).find(Boolean) ?? null };
}

/** Every `new AppError(code, 'reason', …)` and `notFound(…)` of src/server, with the tRPC code it becomes. */
function reasons(): Map<string, { codes: Set<string>; domains: Set<string> }> {
  const dir = path.join(root, 'src/server');
  const found = new Map<string, { codes: Set<string>; domains: Set<string> }>();
  const add = (reason: string, trpcCode: string, file: string) => {
    const entry = found.get(reason) ?? found.set(reason, { codes: new Set(), domains: new Set() }).get(reason)!;
    entry.codes.add(trpcCode);
    entry.domains.add(file.includes('/') ? file.split('/')[0]! : file.replace(/\.ts$/, ''));
  };
  // errors.ts defines AppError and notFound: it raises nothing itself.
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'errors.ts')) {
    const source = ts.createSourceFile(file, readFileSync(path.join(dir, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isNewExpression(node) && node.expression.getText() === 'AppError') {
        const [c, reason] = node.arguments ?? [];
        if (c && reason && ts.isStringLiteralLike(c) && ts.isStringLiteralLike(reason)) add(reason.text, appErrorCodes[c.text as AppErrorCode], file);
      }
      if (ts.isCallExpression(node) && node.expression.getText() === 'notFound') add('not_found', 'NOT_FOUND', file);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** JSON with every object or array that fits on a line written on one. */
function compactJson(value: unknown, indent = ''): string {
  const flat = JSON.stringify(value);
  if (flat.length + indent.length <= 100 || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  const entries = Array.isArray(value) ? value.map((v) => `${inner}${compactJson(v, inner)}`) : Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`);
  return Array.isArray(value) ? `[\n${entries.join(',\n')}\n${indent}]` : `{\n${entries.join(',\n')}\n${indent}}`;
}

const table = (header: string[], rows: string[][]) => [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export function renderApiDocs(): string {
  const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>).sort(([a], [b]) => a.localeCompare(b));
  const docs = descriptions();
  const routerOf = (p: string) => p.split('.').slice(0, -1).join('.');
  const routers = [...new Set(procedures.map(([p]) => routerOf(p)))].sort();
  const out: string[] = [
    '# The MyInventory API',
    '',
    '<!-- Generated by `npm run docs:api` (scripts/api-docs.ts) from src/server/api/root.ts: do not edit by hand. A test fails when this file and the router differ. -->',
    '',
    `${procedures.length} procedures in ${routers.length} routers. Call them with the typed client (\`@myinventory/client\`, see the README's "The typed client"), which types every input and output, or over HTTP at \`/api/trpc/<path>\`: queries with GET, mutations with POST, subscriptions as server-sent events; inputs and results are superjson-encoded. Authenticate with an API token (\`Authorization: Bearer mi_…\`) or a session cookie.`,
    '',
    'Inputs are JSON Schema (draft 2020-12) of what a procedure accepts (before its defaults and transforms). Outputs are not listed: the client types them.',
    '',
    '## Errors',
    '',
    'Every error carries `data` with `code` (the tRPC code), `httpStatus`, `path`, a stable `reason` to branch on, `details` (what the reason needs: the field, the ids, `retryAfterSeconds`, …) and, for invalid input, `issues` (one `{ reason, params, message }` per refused value) and `zodError`. `message` is English for people: never parse it. An internal error (500) says only that it happened; quote the response\'s `x-request-id`.',
    '',
    'Each procedure below lists the refusals it can give for what it is (who may call it, whether it takes input). Beyond those, any of these can happen to any procedure:',
    '',
    table(
      ['code', 'HTTP', 'reason', 'when'],
      [
        ['BAD_REQUEST', 'value_too_large, value_not_storable', 'a value within the schema that the database cannot store (a product of quantity and price too large, a date out of range)'],
        ['BAD_REQUEST', 'unreadable_input', 'a body that is not superjson'],
        ['PAYLOAD_TOO_LARGE', 'payload_too_large', 'a body over the size limit'],
        ['METHOD_NOT_SUPPORTED', 'method_not_supported', 'a query sent with POST or a mutation with GET'],
        ['INTERNAL_SERVER_ERROR', '(none)', 'a fault of ours'],
      ].map(([c, reason, when]) => [code(c!), String(httpStatus(c as TRPCError['code'])), reason!.split(', ').map((r) => (r.startsWith('(') ? r : code(r))).join(', '), when!]),
    ),
    '',
    '### Reasons',
    '',
    'The stable reasons the server gives (from `new AppError(code, reason, …)` and `notFound(…)` in src/server, plus tRPC\'s own refusals), with the code each comes with. Some reasons are computed (a photo\'s or a file\'s rejection); their procedures\' descriptions name them.',
    '',
  ];
  const found = reasons();
  for (const [reason, trpcCode] of [['invalid_input', 'BAD_REQUEST'], ['unreadable_input', 'PARSE_ERROR'], ['payload_too_large', 'PAYLOAD_TOO_LARGE'], ['method_not_supported', 'METHOD_NOT_SUPPORTED']] as const) {
    const entry = found.get(reason) ?? found.set(reason, { codes: new Set(), domains: new Set() }).get(reason)!;
    entry.codes.add(trpcCode);
    entry.domains.add('api');
  }
  out.push(
    table(
      ['reason', 'code', 'HTTP', 'raised in src/server/'],
      [...found.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([reason, { codes, domains }]) => {
          const sorted = [...codes].sort() as TRPCError['code'][];
          return [code(reason), sorted.map(code).join(', '), sorted.map(httpStatus).join(', '), [...domains].sort().join(', ')];
        }),
    ),
  );

  for (const router of routers) {
    const own = procedures.filter(([p]) => routerOf(p) === router);
    out.push('', `## ${router}`, '', table(['procedure', 'kind', 'who may call'], own.map(([p, proc]) => [`[${code(p)}](#${p.replaceAll('.', '').toLowerCase()})`, proc._def.type, whoMayCall(accessOf(proc, p), proc._def.meta)])));
    for (const [p, proc] of own) {
      const access = accessOf(proc, p);
      const { meta, inputs, type } = proc._def;
      out.push('', `### ${p}`, '');
      if (docs.has(p)) out.push(docs.get(p)!, '');
      out.push(`- **Kind:** ${type}`, `- **Who may call:** ${whoMayCall(access, meta)}`, `- **Errors:** ${genericErrors(access, meta, inputs.length > 0)}`);
      if (inputs.length === 0) {
        out.push('- **Input:** none');
        continue;
      }
      const { schema, note } = inputSchema(inputs);
      const optional = inputs.every((input) => input.safeParse(undefined).success);
      out.push(`- **Input:**${optional ? ' (optional: may be left out)' : ''}`, '', ...(note ? [note, ''] : []), '```json', compactJson(schema), '```');
    }
  }
  return `${out.join('\n')}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(path.join(root, apiDocsFile), renderApiDocs());
  console.log(`wrote ${apiDocsFile}`);
}
