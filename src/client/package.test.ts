import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createOrgFixture, createTestServices } from '../../tests/helpers/harness';
import { createAppServer } from '../server/http/server';

/**
 * The client as a developer gets it: `npm run client:pack`'s tarball installed into an empty project with nothing of
 * this repository, a script written against it type-checked by that project's own TypeScript, then run with plain
 * Node against a real server with an API token.
 */
const run = promisify(execFile);
const manifest = JSON.parse(await readFile(path.resolve('src/client/package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const tarball = path.resolve(`src/client/dist/myinventory-client-${manifest.version}.tgz`);
// npm's own settings for the npm run that started the tests would steer the project's install; the project gets none.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_'))) as NodeJS.ProcessEnv;

/** What a developer writes; the line after `// @ts-expect-error` must not compile (a product's id is a string). */
const script = `import { createMyInventoryClient, isMyInventoryError, type RouterOutputs } from '@myinventory/client';

const client = createMyInventoryClient({ url: process.env.MI_URL!, token: process.env.MI_TOKEN! });
const me: RouterOutputs['auth']['me'] = await client.auth.me.query();
const page = await client.admin.stores.list.query({ limit: 10 });
console.log(JSON.stringify({ email: me.user.email.toLowerCase(), stores: page.items.map((s) => s.code).sort(), dates: page.items[0]?.createdAt instanceof Date }));
try {
  await client.products.byId.query({ id: '00000000-0000-4000-8000-000000000000' });
} catch (error) {
  if (!isMyInventoryError(error)) throw error;
  const code: 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHORIZED' | string | undefined = error.data?.code;
  console.log(JSON.stringify({ code, notFound: error.data?.code === 'NOT_FOUND', reason: error.data?.reason, status: error.data?.httpStatus }));
}
// @ts-expect-error a product's id is a string
await client.products.byId.query({ id: 42 }).catch(() => undefined);
`;
const tsconfig = {
  compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
  files: ['main.ts'],
};

let project: string;
let closeServices: () => Promise<void>;
let app: ReturnType<typeof createAppServer>;
let baseUrl: string;
let token: string;

beforeAll(async () => {
  // Built while the database and server start; a failure is kept until awaited (never an unhandled rejection).
  const pack = run(process.execPath, ['--import', 'tsx', 'scripts/build-client.ts', '--pack'], { env, maxBuffer: 10 << 20 }).then(
    () => null,
    (error: Error & { stderr?: string }) => new Error(`npm run client:pack failed: ${error.stderr || error.message}`),
  );
  const { services, close } = await createTestServices();
  closeServices = close;
  const org = await createOrgFixture(services, 'pkg');
  app = createAppServer({ services });
  baseUrl = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  token = (await (await callerFor(services, { sessionSecret: org.secrets.admin })).admin.tokens.create({ name: 'package test' })).token;
  project = await mkdtemp(path.join(os.tmpdir(), 'mi-client-consumer-'));
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const failed = await pack;
  if (failed) throw failed;
}, 90_000);

afterAll(async () => {
  await app?.shutdown(1000);
  await closeServices?.();
  if (project) await rm(project, { recursive: true, force: true });
});

const tsc = (...args: string[]) =>
  run(path.join(project, 'node_modules/.bin/tsc'), ['-p', '.', ...args], { cwd: project, env }).then(
    () => '',
    (error: { stdout?: string }) => error.stdout || String(error),
  );

describe('@myinventory/client, packed', () => {
  it('holds the bundle and declarations, with no trace of the server', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual([
      'package/index.js',
      'package/package.json',
      'package/types/client/app-router.d.ts',
      'package/types/client/index.d.ts',
      'package/types/lib/compliance-upload.d.ts',
    ]);
    const packed = JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'])).stdout) as Record<string, unknown>;
    expect(packed).toMatchObject({ name: '@myinventory/client', type: 'module', exports: { '.': { types: './types/client/index.d.ts', import: './index.js' } } });
    expect(packed.dependencies).toEqual(manifest.dependencies);
    const declarations = (await run('tar', ['-xzOf', tarball, 'package/types/client/app-router.d.ts'])).stdout;
    expect(declarations.match(/from '[^']*'/g)).toEqual(["from '@trpc/server'"]);
    expect(declarations).not.toMatch(/import\(|drizzle/);
  });

  it('installs into an empty project, whose TypeScript checks a script against the real types', async () => {
    await run('npm', ['install', tarball, 'typescript@5.9.3', '@types/node@20.19.43', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, env });
    // Nothing of the server came along: the client, tRPC, superjson (and its one dependency), and the project's own.
    const { stdout } = await run('npm', ['ls', '--all', '--parseable'], { cwd: project, env });
    const installed = stdout.split('\n').filter((p) => p.includes('node_modules')).map((p) => p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(installed.sort()).toEqual(['@myinventory/client', '@trpc/client', '@trpc/server', '@types/node', 'copy-anything', 'superjson', 'typescript', 'undici-types']);
    await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    await writeFile(path.join(project, 'main.ts'), script);
    expect(await tsc()).toBe('');

    // Without the directive the wrong input is an error: the types are real, not `any`. With the libraries' own
    // declarations checked too, none of the errors is in ours.
    await writeFile(path.join(project, 'main.ts'), script.replace('// @ts-expect-error', '//'));
    const errors = await tsc('--skipLibCheck', 'false');
    const line = script.split('\n').findIndex((l) => l.startsWith('// @ts-expect-error')) + 2;
    expect(errors).toContain(`main.ts(${line},`);
    expect(errors).toMatch(/Type 'number' is not assignable to type 'string'/);
    expect(errors).not.toContain('@myinventory');
    await writeFile(path.join(project, 'main.ts'), script);
  }, 60_000);

  it('runs the script with plain Node against a real server, with an API token', async () => {
    const { code } = await transform(script, { loader: 'ts', format: 'esm', target: 'node20' });
    await writeFile(path.join(project, 'main.mjs'), code);
    const { stdout } = await run(process.execPath, ['main.mjs'], { cwd: project, env: { ...env, MI_URL: baseUrl, MI_TOKEN: token } });
    const [me, error] = stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(me).toEqual({ email: 'admin@pkg.test', stores: ['pkg-1', 'pkg-2'], dates: true });
    expect(error).toEqual({ code: 'NOT_FOUND', notFound: true, reason: 'not_found', status: 404 });
  }, 30_000);
});
