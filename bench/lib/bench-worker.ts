/**
 * workers/main.ts as bench:queues runs it. Its database connections carry `application_name`
 * `mi-bench-queues-worker-<pid>`, so a later run can see it is still attached (and refuse to start rather than share
 * its queues); and it stops when the benchmark that started it is gone, however that ended (the IPC channel closes
 * even when the benchmark is killed with SIGKILL), so it never outlives its run and sends to a dead FCM stand-in.
 */
import { BENCH_WORKER_APPLICATION } from './bench-worker-name';

const url = new URL(process.env.DATABASE_URL!);
url.searchParams.set('application_name', `${BENCH_WORKER_APPLICATION}-${process.pid}`);
process.env.DATABASE_URL = url.toString();
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
await import('../../workers/main');
