/** The `application_name` prefix of bench:queues' worker's database connections (bench/lib/bench-worker.ts). */
export const BENCH_WORKER_APPLICATION = 'mi-bench-queues-worker';
