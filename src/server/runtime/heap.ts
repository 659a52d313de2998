import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived its last full collection before the next one: ×2
 * instead of its own factor. Under a photo burst the server's live heap sat at ~93 MB, V8 (seeing a mutator
 * utilisation of ~0.9) set the next limit only ~25 MB higher, which is less than the young generation it keeps in
 * reserve, so it began incremental marking right after each collection: 94 full collections in the burst (one every
 * ~450 ms, 10 ms finalisation plus up to 12 ms marking steps on the main thread each). With ×2: 15, and
 * `dashboard.summary`'s p99 during the burst went from ~29 to ~19-21 ms (bench:compliance with
 * BENCH_SERVER_NODE_FLAGS=--trace-gc; the heap costs ~100 MB more at its peak). Read at every collection, so it
 * applies when set at start, before the load.
 */
export const HEAP_GROWING_PERCENT = 100;

export function tuneHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
