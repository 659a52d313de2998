import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the app server's old generation grow past what survived its last full collection before the next
 * one (`HEAP_GROWING_PERCENT`, default 100: ×2; 0 leaves V8's own factor). Under a photo burst the server's live heap
 * sat at ~93 MB and V8, seeing a mutator utilisation of ~0.9, set the next limit only ~25 MB higher, less than the
 * young generation it keeps in reserve, so it began incremental marking right after each collection: 94 full
 * collections in the burst of one traced run (one every ~450 ms, a 5-14 ms pause plus marking steps of up to 12 ms
 * on the main thread each). With ×2, in the same session: 13-15, the API's CPU per photo 31-35 ms instead of
 * 49-57, and `dashboard.summary`'s p99 during the burst 19-22 ms instead of 28-32 (bench:compliance; the previous
 * day's run without it had 36.8 ms and 19.45 ms: the machine moves these figures from day to day). The cost: about
 * twice the live heap at its peak (~100 MB more here), and V8's own smaller growth near the heap limit is overridden,
 * so a machine short of memory sets 0. Only the app server: the worker process showed no gain (49-58 ms of CPU per
 * photo either way). Read at every collection, so it applies when set at start.
 */
export function tuneHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
