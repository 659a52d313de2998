import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blockedOnTheWay, canRun, copyRuntime } from './embedded-access';

/** Mode bits are judged for a user given by its ids: a stranger's, whoever runs the test (root included). */
const stranger = { uid: 4_000_001, gid: 4_000_001 };

describe('what the embedded PostgreSQL user can reach', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mi-access-')); // 0700, like root's home
  });
  afterEach(() => {
    chmodSync(root, 0o700);
    rmSync(root, { recursive: true, force: true });
  });

  it('names the first directory on the way that the user cannot enter, and the chmod that opens it', () => {
    const data = path.join(root, 'project', '.data');
    mkdirSync(data, { recursive: true, mode: 0o755 });
    expect(blockedOnTheWay(data, stranger)).toEqual({ dir: root, mode: '700', fix: `chmod o+x ${root}` });
    chmodSync(root, 0o711);
    expect(blockedOnTheWay(data, stranger)).toBeNull();
    chmodSync(data, 0o750);
    expect(blockedOnTheWay(data, stranger)).toEqual({ dir: data, mode: '750', fix: `chmod o+x ${data}` });
    // The owner's bits decide for the owner, even when others' would let them in.
    expect(blockedOnTheWay(data, { uid: statSync(data).uid, gid: stranger.gid })).toBeNull();
  });

  it('follows a symlink on the way: the directories of its target must open too', () => {
    const hidden = path.join(root, 'hidden');
    mkdirSync(hidden, { mode: 0o755 });
    const open = mkdtempSync(path.join(tmpdir(), 'mi-access-open-'));
    try {
      chmodSync(open, 0o755);
      symlinkSync(hidden, path.join(open, 'link'));
      expect(blockedOnTheWay(path.join(open, 'link'), stranger)?.dir).toBe(root);
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });

  it('a program runs when the way to it is open and it is readable and executable by the user', () => {
    chmodSync(root, 0o755);
    const program = path.join(root, 'postgres');
    writeFileSync(program, '#!/bin/sh\n', { mode: 0o700 });
    expect(canRun(program, stranger)).toBe(false);
    chmodSync(program, 0o755);
    expect(canRun(program, stranger)).toBe(true);
    chmodSync(root, 0o700);
    expect(canRun(program, stranger)).toBe(false);
  });

  it('copies bin, lib and share once, open to everyone, keeping relative symlinks, and drops other versions', async () => {
    const from = path.join(root, 'native');
    for (const dir of ['bin', 'lib', 'share/timezone']) mkdirSync(path.join(from, dir), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(from, 'bin', 'postgres'), 'binary', { mode: 0o700 });
    writeFileSync(path.join(from, 'lib', 'libpq.so.5.17'), 'library', { mode: 0o600 });
    symlinkSync('libpq.so.5.17', path.join(from, 'lib', 'libpq.so.5'));
    writeFileSync(path.join(from, 'share', 'timezone', 'UTC'), 'zone', { mode: 0o600 });
    const runtimes = path.join(root, 'data', 'pg-runtime');
    mkdirSync(path.join(runtimes, '16.0.0', 'bin'), { recursive: true });

    const to = path.join(runtimes, '17.10.0');
    await copyRuntime(from, to);
    const mode = (p: string) => (statSync(path.join(to, p)).mode & 0o777).toString(8);
    expect([mode('.'), mode('bin'), mode('bin/postgres'), mode('lib/libpq.so.5.17'), mode('share/timezone'), mode('share/timezone/UTC')]).toEqual(['755', '755', '755', '644', '755', '644']);
    expect((statSync(runtimes).mode & 0o777).toString(8)).toBe('755');
    expect(lstatSync(path.join(to, 'lib', 'libpq.so.5')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(to, 'lib', 'libpq.so.5'))).toBe('libpq.so.5.17');
    expect(existsSync(path.join(runtimes, '16.0.0'))).toBe(false);

    // Once: a second start keeps the copy it finds.
    writeFileSync(path.join(from, 'bin', 'postgres'), 'changed');
    await copyRuntime(from, to);
    expect(statSync(path.join(to, 'bin', 'postgres')).size).toBe('binary'.length);
  });
});
