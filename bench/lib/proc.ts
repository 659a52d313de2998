import { readdir, readFile } from 'node:fs/promises';

/** CPU time (user + system) a process has used, in ms, from /proc (Linux's clock ticks are 10 ms). */
export async function cpuMsOf(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * How long a process's main thread (its event loop, for node) has waited for a CPU while ready to run, in ms
 * (`/proc/<pid>/schedstat`'s second field, in ns): the time its work waited for a core, not for I/O.
 */
export async function runQueueMsOf(pid: number): Promise<number> {
  return Number((await readFile(`/proc/${pid}/schedstat`, 'utf8')).split(' ')[1]) / 1e6;
}

export type CpuSnapshot = { at: number; busyMs: number; totalMs: number; processes: Map<string, { pid: number; comm: string; ms: number }> };

/** Every process's CPU time (keyed by pid and start time, so a reused pid is another process) and the machine's busy and total time, from /proc. */
export async function machineCpu(): Promise<CpuSnapshot> {
  const [cpuLine] = (await readFile('/proc/stat', 'utf8')).split('\n');
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const ticks = cpuLine!.trim().split(/\s+/).slice(1, 9).map(Number);
  const totalMs = ticks.reduce((a, b) => a + b, 0) * 10;
  const busyMs = totalMs - (ticks[3]! + ticks[4]!) * 10;
  const processes = new Map<string, { pid: number; comm: string; ms: number }>();
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        processes.set(`${pid}:${fields[19]}`, { pid: Number(pid), comm, ms: (Number(fields[11]) + Number(fields[12])) * 10 });
      } catch {
        // Gone between the listing and the read.
      }
    }),
  );
  return { at: performance.now(), busyMs, totalMs, processes };
}

/**
 * Where the machine's CPU went between two snapshots: cores busy on average, and ms per component. `name` names a
 * process (by pid) or returns null to group it under its command name (postgres, haproxy, pgbouncer, redis-server…).
 * A process that ended in between is not counted (its CPU shows in the machine's busy time only).
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, name: (pid: number, comm: string) => string | null) {
  const cores = (after.totalMs - before.totalMs) / Math.max(1, after.at - before.at);
  const byComponent: Record<string, number> = {};
  for (const [key, p] of after.processes) {
    const ms = p.ms - (before.processes.get(key)?.ms ?? 0);
    if (ms <= 0) continue;
    const component = name(p.pid, p.comm) ?? p.comm;
    byComponent[component] = (byComponent[component] ?? 0) + ms;
  }
  return {
    cores: Math.round(cores * 100) / 100,
    busyCores: Math.round(((after.busyMs - before.busyMs) / Math.max(1, after.at - before.at)) * 100) / 100,
    msByComponent: Object.fromEntries(Object.entries(byComponent).sort((a, b) => b[1] - a[1])),
  };
}
