/**
 * `npm run bench:body-cap`: what oversized bodies cost the server (issue 15, finding 1), written to
 * bench/results/body-cap.json. The review sent 200 MB JSON passwords to `auth.login`: the server read and parsed
 * them (RSS 280 → 926 MB; 8 at once → 3 GB, 38 s). Here, in the same run and each against a fresh server process:
 *  - baseline: 8 ordinary failed logins at once;
 *  - oversized: 8 logins at once whose bodies are 200 MB each, streamed by the client.
 * For each: the answers, the time until all 8 are answered, and the server's peak resident memory (VmHWM) over
 * what it held before the round.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import postgres from 'postgres';
import { runMigrations } from '~/server/db/migrate';
import { startApiServer } from './lib/api-server';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'mi_bench_body_cap';
const CONCURRENT = 8;
const BODY_MB = Number(process.env.BENCH_BODY_MB ?? 200);

const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DATABASE}`;
  return u.toString();
})();

async function prepareDatabase() {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  await admin.end();
  await runMigrations(dbUrl);
}

const memoryMb = async (pid: number, field: 'VmHWM' | 'VmRSS') => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
};

/** POSTs a login whose JSON body is `sizeMb` long (a huge password), written in 1 MB pieces until the server answers. */
function login(url: string, sizeMb: number, who: number): Promise<{ status: number; ms: number; sentMb: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // One address per call: the per-address login limit would otherwise answer some of them 429 before any work.
    const head = Buffer.from(`{"json":{"email":"ninguem-${who}@bench.test","password":"`);
    const tail = Buffer.from('"}}');
    const piece = Buffer.alloc(1024 * 1024, 'a');
    const length = sizeMb === 0 ? head.length + 8 + tail.length : head.length + sizeMb * piece.length + tail.length;
    let sent = 0;
    let answered = false;
    const request = http.request(`${url}/api/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': length }, agent: false });
    request.on('response', (response) => {
      answered = true;
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started, sentMb: sent / 1024 / 1024 }));
    });
    // The server may close the connection under a body it refused; what counts is the answer it gave first.
    request.on('error', (error) => (answered ? undefined : reject(error)));
    if (sizeMb === 0) {
      request.end(Buffer.concat([head, Buffer.from('senha-x1'), tail]));
      return;
    }
    request.write(head);
    let left = sizeMb;
    const pump = () => {
      while (left > 0 && !answered && !request.destroyed) {
        left--;
        sent += piece.length;
        if (!request.write(piece)) return void request.once('drain', pump);
      }
      if (!answered && !request.destroyed) request.end(tail);
    };
    pump();
  });
}

async function round(name: string, sizeMb: number, port: number) {
  const server = await startApiServer({ port, env: { DATABASE_URL: dbUrl, REDIS_URL: '', RATE_LIMIT_ANON_PER_MINUTE: '100000', LOG_LEVEL: 'silent' } });
  try {
    const pid = server.child.pid!;
    await login(server.url, 0, -1); // warm-up: the first login loads what every later one uses
    const rssBefore = await memoryMb(pid, 'VmRSS');
    const peakBefore = await memoryMb(pid, 'VmHWM');
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => login(server.url, sizeMb, i)));
    const allAnsweredMs = performance.now() - started;
    const peak = await memoryMb(pid, 'VmHWM');
    const statuses = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    const result = {
      name,
      bodyMb: sizeMb === 0 ? 0 : sizeMb,
      concurrent: CONCURRENT,
      statuses,
      allAnsweredMs: Math.round(allAnsweredMs),
      maxSentBeforeAnswerMb: Math.round(Math.max(...answers.map((a) => a.sentMb))),
      rssBeforeMb: Math.round(rssBefore),
      peakRssMb: Math.round(Math.max(peak, peakBefore)),
      peakOverBeforeMb: Math.round(Math.max(peak, peakBefore) - rssBefore),
    };
    console.info(JSON.stringify(result));
    return result;
  } finally {
    await server.stop();
  }
}

await prepareDatabase();
const port = 4300 + Math.floor(Math.random() * 200);
const baseline = await round('baseline: ordinary failed logins', 0, port);
const oversized = await round(`oversized: ${BODY_MB} MB login bodies`, BODY_MB, port + 1);
const out = {
  at: new Date().toISOString(),
  command: 'npm run bench:body-cap',
  node: process.version,
  note: 'Each round on a fresh server process (bench/serve-api.ts, Redis off, the anonymous rate limit lifted so every call reaches the body cap). peakOverBeforeMb: VmHWM after the round minus VmRSS before it.',
  baseline,
  oversized,
  oversizedPeakOverBaselinePeakMb: oversized.peakOverBeforeMb - baseline.peakOverBeforeMb,
};
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/body-cap.json', `${JSON.stringify(out, null, 2)}\n`);
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
await admin.end();
