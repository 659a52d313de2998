/**
 * bench:queues' same-run baseline, its own process like the real worker: a bare BullMQ worker (Redis) that posts
 * each job to the FCM stand-in with plain fetch. One queue hop and one HTTP call, no PostgreSQL and none of our
 * code: what this machine's Node, Redis and loopback cost at that moment. Env: REDIS_URL, BARE_PREFIX, FCM_URL.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
const url = `${process.env.FCM_URL}/v1/projects/stand-in/messages:send`;
const worker = new Worker(
  'bench-bare',
  async (job) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: { token: 'bench-bare', notification: { title: 't', body: 'b' }, data: { notificationId: String(job.id) } } }),
    });
    if (!response.ok) throw new Error(`stand-in answered ${response.status}`);
    await response.arrayBuffer();
  },
  { connection, prefix: process.env.BARE_PREFIX, concurrency: 32, removeOnComplete: { count: 100 } },
);
process.on('SIGTERM', () => {
  setTimeout(() => process.exit(1), 3000).unref();
  void worker.close().then(() => connection.quit()).then(() => process.exit(0));
});
