import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the CPU priority of every thread of this process, not only the calling one. On Linux a niceness belongs to
 * a thread: `os.setPriority(n)` changes the main thread alone, while the work that costs CPU runs on threads made
 * before it — libuv's pool (sharp's conversions, compression, file reads) and V8's helpers — which would keep
 * competing with the app server as equals. Threads made later inherit the niceness of the thread that makes them
 * (libvips' workers are made from the pool's threads), so they are lowered too. Elsewhere (no /proc) only the
 * process's own call applies, which there covers the whole process.
 */
export function lowerPriority(nice: number): void {
  setPriority(nice);
  let threads: string[];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const tid of threads) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      // A thread that ended meanwhile.
    }
  }
}
