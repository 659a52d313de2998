import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * How the proxy answers a request instead of passing it on:
 * - `unavailable`: 503 `<Code>ServiceUnavailable</Code>`; `slowdown`: 503 `<Code>SlowDown</Code>` (S3's throttling);
 *   `internal`: 500 `<Code>InternalError</Code>`; `denied`: 403 `<Code>AccessDenied</Code>`;
 * - `delete-denied` / `delete-internal`: a DeleteObjects answered 200 that lists every key as not deleted, with
 *   `AccessDenied` / `InternalError` (S3 reports per-key failures that way; other requests pass);
 * - `malformed`: 200 with a body that is not XML at all (a captive proxy's page, cut short): calls whose answer is
 *   XML (DeleteObjects) cannot read it; a GetObject takes it as the object's bytes, as it would any body;
 * - `truncated`: the real answer's headers, half its body, then the connection is cut;
 * - `reset`: the connection is cut before any answer;
 * - `hang`: the request is read and never answered (only the client's signal ends it).
 */
export type S3Fault =
  | 'unavailable'
  | 'slowdown'
  | 'internal'
  | 'denied'
  | 'delete-denied'
  | 'delete-internal'
  | 'malformed'
  | 'truncated'
  | 'reset'
  | 'hang';

type S3rverInstance = { run(): Promise<AddressInfo>; close(): Promise<void> };
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver is CommonJS without types; only its constructor, run and close are used.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

const s3Error = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>stand-in</RequestId></Error>`;

const errorAnswers: Record<'unavailable' | 'slowdown' | 'internal' | 'denied', { status: number; body: string }> = {
  unavailable: { status: 503, body: s3Error('ServiceUnavailable', 'Service is unable to handle request.') },
  slowdown: { status: 503, body: s3Error('SlowDown', 'Please reduce your request rate.') },
  internal: { status: 500, body: s3Error('InternalError', 'We encountered an internal error. Please try again.') },
  denied: { status: 403, body: s3Error('AccessDenied', 'Access Denied') },
};

/**
 * A real S3-compatible server (s3rver, on the filesystem of a temp directory, one bucket) behind a small node:http
 * proxy that the tests command: it fails the next n requests or all of them with an `S3Fault`, delays every
 * request, and counts the requests it received (faulted ones included). Clients use `url` as the endpoint with
 * `forcePathStyle: true`; the proxy forwards the Host header unchanged, so s3rver's signature check still holds.
 */
export async function startS3StandIn(bucket = 'myinventory-test') {
  const directory = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
  const upstream = await s3rver.run();

  const agent = new http.Agent({ keepAlive: true });
  let requests = 0;
  let failuresLeft = 0;
  let nextFault: S3Fault | null = null;
  let alwaysFault: S3Fault | null = null;
  let delayMs = 0;

  const takeFault = (): S3Fault | null => {
    if (failuresLeft > 0) {
      failuresLeft--;
      return nextFault;
    }
    return alwaysFault;
  };

  /**
   * s3rver writes an object's bytes in place and its metadata (content type) in a second file, and answers a PUT
   * before its last bytes are flushed: a request that overlaps a write of the same object can see a mix of two
   * puts. S3 replaces an object atomically. Passing one request at a time to s3rver (each to its answer's end)
   * gives the tests S3's guarantee instead of s3rver's race.
   */
  let upstreamQueue = Promise.resolve();
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, truncate: boolean) => {
    upstreamQueue = upstreamQueue.then(
      () =>
        new Promise<void>((done) => {
          if (res.destroyed) return done(); // the client gave up while it waited
          res.once('close', done);
          send(req, res, body, truncate);
        }),
    );
  };
  const send = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, truncate: boolean) => {
    const out = http.request(
      { agent, host: upstream.address, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!truncate) return void answer.pipe(res);
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const whole = Buffer.concat(chunks);
          res.write(whole.subarray(0, Math.floor(whole.length / 2)));
          // Let the half reach the client before the connection goes, as a cut network would.
          setTimeout(() => res.destroy(), 20);
        });
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      requests++;
      const fault = takeFault();
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (res.destroyed) return;
      switch (fault) {
        case 'hang':
          return;
        case 'reset':
          return void req.socket.destroy();
        case 'malformed':
          res.writeHead(200, { 'content-type': 'application/xml' });
          return void res.end('<html><body>Gateway login required<br><form');
        case 'delete-denied':
        case 'delete-internal': {
          const body = Buffer.concat(chunks).toString();
          if (req.method !== 'POST' || !/[?&]delete(=|&|$)/.test(req.url ?? '')) return forward(req, res, Buffer.concat(chunks), false);
          const [code, message] = fault === 'delete-denied' ? ['AccessDenied', 'Access Denied'] : ['InternalError', 'We encountered an internal error. Please try again.'];
          const errors = [...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => `<Error><Key>${m[1]}</Key><Code>${code}</Code><Message>${message}</Message></Error>`);
          res.writeHead(200, { 'content-type': 'application/xml' });
          return void res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${errors.join('')}</DeleteResult>`);
        }
        case 'truncated':
          return forward(req, res, Buffer.concat(chunks), true);
        case null:
          return forward(req, res, Buffer.concat(chunks), false);
        default: {
          const { status, body } = errorAnswers[fault];
          res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
          return void res.end(req.method === 'HEAD' ? undefined : body);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    // s3rver's fixed credentials; it checks the signatures made with them.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    /** Requests the proxy received so far, faulted ones included. */
    requests: () => requests,
    /** The next `n` requests get `fault` (then requests pass again, unless `failAlways` is set). */
    failNext(n: number, fault: S3Fault) {
      failuresLeft = n;
      nextFault = fault;
    },
    /** Every request gets `fault` from now on (after any `failNext` ones); `null` lets them pass again. */
    failAlways(fault: S3Fault | null) {
      alwaysFault = fault;
    },
    /** Every request waits this long before it is answered or faulted (0: none). */
    delay(ms: number) {
      delayMs = ms;
    },
    /** Back to passing every request at once. */
    reset() {
      failuresLeft = 0;
      nextFault = null;
      alwaysFault = null;
      delayMs = 0;
    },
    async close() {
      server.closeAllConnections(); // hung requests included
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
      await s3rver.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export type S3StandIn = Awaited<ReturnType<typeof startS3StandIn>>;
