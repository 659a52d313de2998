import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('lowerPriority', () => {
  it('lowers every thread of the process, those made before it (libuv’s pool, where sharp converts) and after', async () => {
    const module = path.resolve('src/server/runtime/priority.ts');
    // A process like the worker: its pool's threads exist (files read, a conversion made) before it lowers itself.
    const script = `
      import { readFile } from 'node:fs/promises';
      import { readdirSync, readFileSync } from 'node:fs';
      import sharp from 'sharp';
      import { lowerPriority } from ${JSON.stringify(module)};
      const convert = () => sharp({ create: { width: 800, height: 800, channels: 3, background: 'red' } }).resize(100).jpeg().toBuffer();
      await Promise.all([readFile('package.json'), convert(), convert()]);
      lowerPriority(7);
      await Promise.all([convert(), convert(), convert(), convert()]);
      const nices = readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
      console.log(JSON.stringify(nices));`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    const nices = JSON.parse(stdout.trim()) as number[];
    expect(nices.length).toBeGreaterThan(4);
    expect(new Set(nices)).toEqual(new Set([7]));
  });
});
