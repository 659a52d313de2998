/**
 * `npm run check:imports`: fails when source files import each other in a loop, or when folders do (a domain of
 * src/server counts as one folder with its subfolders; a file directly in src/server is its own node). Tests,
 * e2e specs and benchmarks are left out: they may reach anywhere. Prints each cycle with the imports that make it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = process.cwd();
const sources = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'src', 'workers', 'scripts'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && existsSync(f));
const known = new Set(sources);

function nodeOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src' && parts[1] === 'server') return parts.length > 3 ? parts.slice(0, 3).join('/') : file;
  if (parts[0] === 'src' && parts.length > 3) return parts.slice(0, 3).join('/');
  return parts.slice(0, -1).join('/') || file;
}

function resolve(specifier: string, from: string): string | null {
  let base: string;
  if (specifier.startsWith('~/')) base = path.join(root, 'src', specifier.slice(2));
  else if (specifier.startsWith('.')) base = path.resolve(path.dirname(path.join(root, from)), specifier);
  else return null;
  for (const ending of ['', '.ts', '.tsx', '/index.ts', '/index.tsx']) {
    const candidate = base + ending;
    if (existsSync(candidate) && statSync(candidate).isFile()) return path.relative(root, candidate);
  }
  return null;
}

type Graph = Map<string, Set<string>>;
const files: Graph = new Map();
const folders: Graph = new Map();
const because = new Map<string, string[]>();
const add = (graph: Graph, from: string, to: string) => (graph.get(from) ?? graph.set(from, new Set()).get(from)!).add(to);

for (const file of sources) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    const target = resolve(match[1]!, file);
    if (!target || !known.has(target) || target === file) continue;
    add(files, file, target);
    const [a, b] = [nodeOf(file), nodeOf(target)];
    if (a === b) continue;
    add(folders, a, b);
    const key = `${a} -> ${b}`;
    because.set(key, [...(because.get(key) ?? []), `${file} -> ${target}`]);
  }
}

/** Strongly connected components of more than one node (Tarjan). */
function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const fileCycles = cycles(files);
const folderCycles = cycles(folders);
for (const cycle of fileCycles) console.log(`files import each other: ${cycle.join(', ')}`);
for (const cycle of folderCycles) {
  console.log(`folders import each other: ${cycle.join(', ')}`);
  for (const a of cycle) for (const b of cycle) for (const edge of (because.get(`${a} -> ${b}`) ?? []).slice(0, 3)) console.log(`  ${edge}`);
}
console.log(`${sources.length} files: ${fileCycles.length} file cycles, ${folderCycles.length} folder cycles`);
if (fileCycles.length + folderCycles.length > 0) process.exit(1);
