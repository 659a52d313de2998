/**
 * `npm run client:build`: the typed client (src/client) as the package `@myinventory/client`, in
 * src/client/dist/package/: the JS bundled as ESM (esbuild; @trpc/client, @trpc/server and superjson stay
 * dependencies), the client's declarations, and the router's types written out structurally
 * (scripts/client-types.ts) in place of src/client/app-router.ts, so that a consumer needs neither this repository
 * nor the server's dependencies. `npm run client:pack` (`--pack`) then packs it into src/client/dist/*.tgz.
 *
 * The package's manifest is src/client/package.json with its `publishConfig.exports` as `exports`: kept out of the
 * source manifest's top level because bundlers (Vite, so our tests) resolve the in-repo import `~/client` through a
 * directory's package.json `exports`, which would point them at the build instead of the source.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { routerDeclarations, routerDifferences } from './client-types';

const root = process.cwd();
const clientDir = path.join(root, 'src/client');
export const distDir = path.join(clientDir, 'dist');
export const packageDir = path.join(distDir, 'package');
const entry = path.join(clientDir, 'index.ts');
/** The client's one import of the server: replaced in the package by the router's structural types. */
const routerSeam = path.join(clientDir, 'app-router.ts');
const routerFile = path.join(root, 'src/server/api/root.ts');

type Manifest = { name: string; version: string; dependencies: Record<string, string>; publishConfig?: { exports?: unknown } & Record<string, unknown> } & Record<string, unknown>;
const readManifest = (): Manifest => JSON.parse(readFileSync(path.join(clientDir, 'package.json'), 'utf8')) as Manifest;

function createProgram(): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(d) });
  if (!config) throw new Error('tsconfig.json could not be read');
  return ts.createProgram({
    rootNames: [entry, routerFile],
    options: {
      ...config.options,
      noEmit: false,
      declaration: true,
      emitDeclarationOnly: true,
      incremental: false,
      tsBuildInfoFile: undefined,
      rootDir: path.join(root, 'src'),
      outDir: path.join(packageDir, 'types'),
      plugins: [],
    },
  });
}

function fail(diagnostic: ts.Diagnostic): never {
  throw new Error(ts.formatDiagnosticsWithColorAndContext([diagnostic], { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }));
}

/** The client's own source files (the entry and what it imports of ours, short of the router seam); the server's are refused. */
function clientSources(program: ts.Program, allowed: Set<string>): ts.SourceFile[] {
  const found = new Map<string, ts.SourceFile>();
  const visit = (file: ts.SourceFile) => {
    if (found.has(file.fileName)) return;
    found.set(file.fileName, file);
    for (const statement of file.statements) {
      const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
      if (!specifier || !ts.isStringLiteral(specifier)) continue;
      const resolved = ts.resolveModuleName(specifier.text, file.fileName, program.getCompilerOptions(), ts.sys).resolvedModule;
      const where = `${path.relative(root, file.fileName)} imports '${specifier.text}'`;
      if (!resolved) throw new Error(`${where}, which does not resolve`);
      if (resolved.isExternalLibraryImport) {
        const name = specifier.text.startsWith('@') ? specifier.text.split('/').slice(0, 2).join('/') : specifier.text.split('/')[0]!;
        if (!allowed.has(name)) throw new Error(`${where}: only the package's dependencies (${[...allowed].join(', ')}) may be imported`);
        continue;
      }
      if (!specifier.text.startsWith('.')) throw new Error(`${where}: use a relative import (a path alias would stay in the declarations)`);
      if (path.resolve(resolved.resolvedFileName) === routerSeam) continue;
      if (resolved.resolvedFileName.startsWith(path.join(root, 'src/server'))) throw new Error(`${where}: the client may reach the server only through src/client/app-router.ts`);
      visit(program.getSourceFile(resolved.resolvedFileName)!);
    }
  };
  visit(program.getSourceFile(entry)!);
  return [...found.values()];
}

/** Node's ESM resolution (a consumer's `moduleResolution: nodenext`) wants the extension on relative imports, declarations too. */
const withJsExtensions = (text: string) => text.replace(/((?:from |import\()\s*['"])(\.{1,2}\/[^'"]+?)(['"])/g, (_m, before: string, specifier: string, after: string) => `${before}${specifier.endsWith('.js') ? specifier : `${specifier}.js`}${after}`);

async function bundle(manifest: Manifest) {
  const result = await build({
    entryPoints: [entry],
    outfile: path.join(packageDir, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: Object.keys(manifest.dependencies),
    tsconfig: path.join(root, 'tsconfig.json'),
    banner: { js: `// ${manifest.name} ${manifest.version}: built by scripts/build-client.ts` },
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const stray = inputs.filter((f) => !f.startsWith('src/') || f.startsWith('src/server/'));
  if (stray.length > 0) throw new Error(`the client's bundle would hold ${stray.join(', ')}: only src/client and what it needs of src/lib belong there`);
  return inputs;
}

function declarations(manifest: Manifest) {
  const program = createProgram();
  const sources = clientSources(program, new Set(Object.keys(manifest.dependencies)));
  const errors = sources.flatMap((s) => [...program.getSyntacticDiagnostics(s), ...program.getSemanticDiagnostics(s)]);
  if (errors.length > 0) fail(errors[0]!);
  for (const source of sources) {
    const write = (fileName: string, text: string) => {
      mkdirSync(path.dirname(fileName), { recursive: true });
      writeFileSync(fileName, withJsExtensions(text));
    };
    const result = program.emit(source, write, undefined, true);
    if (result.diagnostics.length > 0) fail(result.diagnostics[0]!);
  }
  const router = routerDeclarations(program, routerFile, 'AppRouter', `// Generated by scripts/build-client.ts from src/server/api/root.ts (${manifest.name} ${manifest.version}): do not edit.`);
  const seamOut = path.join(packageDir, 'types', path.relative(path.join(root, 'src'), routerSeam).replace(/\.ts$/, '.d.ts'));
  mkdirSync(path.dirname(seamOut), { recursive: true });
  writeFileSync(seamOut, router.text);
  const differences = routerDifferences(program, routerFile, seamOut);
  if (differences.length > 0) throw new Error(`the written router types differ from src/server/api/root.ts's:\n${differences.join('\n')}`);
  return { sources: sources.map((s) => path.relative(root, s.fileName)), router };
}

export async function buildClient(opts: { pack?: boolean } = {}) {
  const started = performance.now();
  const manifest = readManifest();
  rmSync(packageDir, { recursive: true, force: true });
  mkdirSync(packageDir, { recursive: true });
  const bundled = await bundle(manifest);
  const { sources, router } = declarations(manifest);
  const { publishConfig, ...rest } = manifest;
  const { exports, ...otherPublishConfig } = publishConfig ?? {};
  if (!exports) throw new Error('src/client/package.json has no publishConfig.exports');
  const published = { ...rest, exports, ...(Object.keys(otherPublishConfig).length > 0 ? { publishConfig: otherPublishConfig } : {}) };
  writeFileSync(path.join(packageDir, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
  let tarball: { file: string; bytes: number } | null = null;
  if (opts.pack) {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', distDir], { cwd: packageDir, encoding: 'utf8' })) as { filename: string }[];
    const file = path.join(distDir, packed!.filename);
    tarball = { file, bytes: statSync(file).size };
  }
  return { manifest: published, bundled, sources, procedures: router.procedures, warnings: router.warnings, tarball, seconds: (performance.now() - started) / 1000 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await buildClient({ pack: process.argv.includes('--pack') });
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  console.log(`${result.manifest.name} ${result.manifest.version}: ${result.procedures} procedures, bundled ${result.bundled.join(', ')}; declarations of ${result.sources.join(', ')} in ${path.relative(root, packageDir)}`);
  if (result.tarball) console.log(`packed ${path.relative(root, result.tarball.file)} (${(result.tarball.bytes / 1024).toFixed(1)} KiB)`);
  console.log(`${result.seconds.toFixed(1)} s`);
}
