import { existsSync, realpathSync, statSync, type Stats } from 'node:fs';
import { chmod, cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * What the OS user the embedded PostgreSQL runs as can reach. Started as root, the server runs as a `postgres`
 * user (PostgreSQL refuses root), which needs to enter every directory on the way to its binaries and its data.
 */
export type OsUser = { uid: number; gid: number };

/** Whether `user` may use `bit` (1 = enter a directory / run a file, 4 = read) of a file with this stat. */
function allows(st: Stats, user: OsUser, bit: 1 | 4): boolean {
  // One class applies, the first that matches: owner, group, others (the process runs with its primary group only).
  const shift = st.uid === user.uid ? 6 : st.gid === user.gid ? 3 : 0;
  return ((st.mode >> shift) & bit) !== 0;
}

/** Every directory the kernel walks to reach `target`: its ancestors as written and, through symlinks, as they are. */
function ancestors(target: string): string[] {
  const walk = (p: string) => {
    const dirs: string[] = [];
    for (let dir = path.dirname(p); ; dir = path.dirname(dir)) {
      dirs.unshift(dir);
      if (dir === path.dirname(dir)) break;
    }
    return dirs;
  };
  const written = path.resolve(target);
  const real = existsSync(written) ? realpathSync(written) : written;
  return [...new Set([...walk(written), ...walk(real)])];
}

/**
 * The first directory on the way to `target` (and `target` itself when it is a directory) that `user` cannot
 * enter, with how to open it to that user; null when `user` gets there. ACLs are not read: mode bits only.
 */
export function blockedOnTheWay(target: string, user: OsUser): { dir: string; mode: string; fix: string } | null {
  const dirs = ancestors(target);
  if (existsSync(target) && statSync(target).isDirectory()) dirs.push(path.resolve(target));
  for (const dir of dirs) {
    const st = statSync(dir);
    if (allows(st, user, 1)) continue;
    const who = st.uid === user.uid ? 'u' : st.gid === user.gid ? 'g' : 'o';
    return { dir, mode: (st.mode & 0o777).toString(8), fix: `chmod ${who}+x ${dir}` };
  }
  return null;
}

/** Whether `user` can run the program at `file` (enter every directory to it, and read and execute it). */
export function canRun(file: string, user: OsUser): boolean {
  if (blockedOnTheWay(file, user)) return false;
  const st = statSync(file);
  return allows(st, user, 1) && allows(st, user, 4);
}

/**
 * Copies PostgreSQL's bin/, lib/ and share/ from `from` into `to` (once: an existing copy is kept), readable by
 * everyone: directories 0755, files 0644 or 0755. Written beside and renamed into place, so an interrupted copy is
 * never taken for a whole one. Other versions' copies beside it are removed.
 */
export async function copyRuntime(from: string, to: string): Promise<void> {
  if (existsSync(path.join(to, 'bin'))) return;
  const parent = path.dirname(to);
  await mkdir(parent, { recursive: true });
  await chmod(parent, 0o755);
  const partial = `${to}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial);
  for (const part of ['bin', 'lib', 'share']) {
    // Symlinks (lib/libpq.so → libpq.so.5.17) stay relative links inside the copy.
    await cp(path.join(from, part), path.join(partial, part), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  }
  await openToAll(partial);
  await rename(partial, to);
  for (const entry of await readdir(parent)) {
    if (entry !== path.basename(to)) await rm(path.join(parent, entry), { recursive: true, force: true });
  }
}

async function openToAll(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    // Symlinks point inside the copy: their targets are opened on their own path.
    if (entry.isDirectory()) await openToAll(file);
    else if (entry.isFile()) await chmod(file, (await stat(file)).mode & 0o100 ? 0o755 : 0o644);
  }
}
