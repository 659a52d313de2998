import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Server as NetServer, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { constants as zlibConstants } from 'node:zlib';
import compression from 'compression';
import type { AnyRouter } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter } from '../api/root';
import { createContext } from '../api/trpc';
import { SESSION_COOKIE } from '../auth/secrets';
import { checkHealth, checkReady, healthHttpStatus } from '../observability/health';
import { statusClass } from '../metrics/metrics';
import { inServerSpan, tracingEnabled } from '../telemetry/spans';
import { serveMetrics } from './metrics-route';
import type { Services } from '../services';
import { reportError } from '../telemetry/report';
import { readCookie } from '../auth/cookies';
import { createExportRoute, EXPORT_PATH_PREFIX } from './exports-route';
import { createFileRoute } from './file-route';
import { createLabelsRoute, LABELS_PATH } from './labels-route';
import { createMonitoringTunnel, MONITORING_TUNNEL_PATH } from './monitoring-tunnel';
import { createImagesRoute } from './images-route';
import { COMPLIANCE_PHOTO_PATH_PREFIX, PHOTO_PATH_PREFIX } from '~/lib/photos';
import { createQueueBoard, QUEUE_BOARD_PATH } from './queue-board';
import { bearerFrom, clientIpFrom, requestIdFrom } from './request-meta';
import { apiPolicy, applyPagePolicy, CSP_REPORT_PATH, queueBoardPolicy, setBaseHeaders } from './security-headers';
import { createUploadGate } from './upload-gate';
import { COMPRESS_THRESHOLD_BYTES, createCachedReads } from './cached-reads';
import { ALLOWED_METHODS, BODY_LIMIT_BYTES, methodAllowed, normalizedPath, proceduresOf, sameOriginOrScript, streamedBatch, takesUpload, UPLOAD_LIMIT_BYTES } from './request-guard';
import { sendJson } from './respond';
import { tlsMode, type TlsOptions } from '../tls/tls';
import { createInstallRoute, INSTALL_PATH } from './install-route';
import { answerPlainRequest } from './plain-door';
import { samePort } from './same-port';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * Our own server in front of Next.js: the API and health checks go straight to tRPC's Node adapter (about
 * 5x the throughput of a Next route handler on this hardware); everything else is Next's.
 */
export function createAppServer(opts: { services: Services; nextHandler?: RequestHandler; tls?: TlsOptions; router?: AnyRouter }) {
  const { services } = opts;
  const trustProxy = services.env.TRUST_PROXY;
  const log = services.logger.child({ component: 'http' });

  const shedder = createLoadShedder(services.env.LOAD_SHED_MAX_IN_FLIGHT, services.env.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS);
  const { metrics } = services;
  const shed = (reason: string) => {
    metrics.loadShed.inc({ reason });
    return reason;
  };
  /** Requests refused at the door, by cause (for the operators' figures). */
  const refused = { methodNotAllowed: 0, payloadTooLarge: 0, crossSite: 0, unknownApiPath: 0, cspViolations: 0 };
  const encrypted = (req: IncomingMessage) => (req.socket as TLSSocket).encrypted === true;
  const isSecure = (req: IncomingMessage) => encrypted(req) || (trustProxy && req.headers['x-forwarded-proto'] === 'https');
  const mode = opts.tls ? tlsMode(services.env) : 'off';
  const router = opts.router ?? appRouter;
  const contextOf = (req: IncomingMessage, res: ServerResponse) =>
    createContext({
      services,
      requestId: res.getHeader('x-request-id') as string,
      ip: clientIpFrom(req.headers['x-forwarded-for'], req.socket.remoteAddress, trustProxy),
      userAgent: req.headers['user-agent'] ?? null,
      credentials: { bearer: bearerFrom(req.headers.authorization), sessionSecret: readCookie(req.headers.cookie, SESSION_COOKIE) },
      secure: isSecure(req),
      setHeader: (name, value) => {
        if (!res.headersSent) res.setHeader(name, value);
      },
    });
  const cachedReads = createCachedReads({ router, createContext: contextOf });
  const trpcHandler = (maxBodySize: number) =>
    createHTTPHandler({
      router,
      basePath: '/api/trpc/',
      maxBodySize,
      createContext: ({ req, res }) => contextOf(req, res),
      onError: ({ error, path, ctx, req }) => {
        if (error.code === 'PAYLOAD_TOO_LARGE') {
          refused.payloadTooLarge++;
          // The client learns why (413) and the connection closes after it: no second request rides on a half-read body.
          responses.get(req)?.setHeader('connection', 'close');
          log.warn({ path, maxBodySize }, 'request body over the limit refused');
        }
        // Errors inside procedures are logged by the procedure middleware; these happened before one ran.
        if (!ctx && error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error.cause ?? error, path }, 'request failed before the procedure');
      },
    });
  const responses = new WeakMap<IncomingMessage, ServerResponse>();
  // Every other JSON answer of tRPC's over 1 KiB, compressed as the cached reads' are (br or gzip, as accepted), once
  // `wholeBody` has given it the whole answer.
  const compressAnswer = compression({ threshold: COMPRESS_THRESHOLD_BYTES, brotli: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } } }) as unknown as (
    req: IncomingMessage,
    res: ServerResponse,
    next: () => void,
  ) => void;
  const trpc = trpcHandler(BODY_LIMIT_BYTES);
  const trpcUpload = trpcHandler(UPLOAD_LIMIT_BYTES);
  // One door and one budget of concurrent files for the exports and the shelf labels.
  const serveFile = createFileRoute(services, { isSecure, trustProxy });
  const exportRoute = createExportRoute(services, serveFile);
  const labelsRoute = createLabelsRoute(services, serveFile);
  const imagesRoute = createImagesRoute(services, { isSecure, trustProxy });
  const installRoute = createInstallRoute(services);

  let queueBoard: ReturnType<typeof createQueueBoard> | undefined;
  let inFlight = 0;
  let draining = false;
  const uploads = createUploadGate({ ratePerSecond: services.env.COMPLIANCE_UPLOADS_PER_SECOND, maxWaitMs: services.env.COMPLIANCE_UPLOAD_MAX_WAIT_MS });
  const idle: (() => void)[] = [];

  const streams = new Set<ServerResponse>();

  let monitoringTunnel: ReturnType<typeof createMonitoringTunnel> | undefined;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // Live streams (SSE subscriptions) never finish by themselves: tracked apart, ended at shutdown.
    if (req.headers.accept?.includes('text/event-stream')) {
      streams.add(res);
      metrics.liveStreams.inc();
      res.once('close', () => {
        streams.delete(res);
        metrics.liveStreams.dec();
      });
    } else {
      res.once('finish', () => metrics.httpResponses.inc({ class: statusClass(res.statusCode) }));
      inFlight++;
      res.once('close', () => {
        inFlight--;
        if (inFlight === 0) idle.splice(0).forEach((resolve) => resolve());
      });
    }
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    // No HSTS under the store's own authority: a browser that kept it for a name (caixa.local) would never again reach
    // the install page over plain HTTP for that name, nor let a person past a warning if the authority is remade.
    setBaseHeaders(res, { secure: isSecure(req) && mode !== 'local-ca' });
    if (draining) res.setHeader('connection', 'close');

    if (!methodAllowed(req.method)) {
      refused.methodNotAllowed++;
      res.setHeader('Allow', ALLOWED_METHODS.join(', '));
      return sendJson(res, 405, { error: `Method ${req.method} not allowed`, requestId });
    }
    // Routed by the normalised path: `/api/./trpc/x` is `/api/trpc/x`, never a second way in.
    const path = normalizedPath(req.url);
    const query = req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    try {
      // Plain HTTP on the HTTPS port: the install page, health checks, and a way to the secure address.
      if (opts.tls && !encrypted(req) && answerPlainRequest(req, res, { mode, path, query, requestId })) return;
      if (path.startsWith('/api/')) res.setHeader('Content-Security-Policy', apiPolicy);
      if (path.startsWith('/api/trpc/')) {
        // Every answer is somebody's data: never kept by a browser or a shared cache.
        res.setHeader('Cache-Control', 'no-store');
        if (req.method === 'POST' && !sameOriginOrScript(req, { secure: isSecure(req), publicUrl: services.env.PUBLIC_URL, trustProxy })) {
          refused.crossSite++;
          return sendJson(res, 403, { error: 'Cross-site request refused: the API accepts changes from this site only', reason: 'cross_site', requestId });
        }
        const busy = shedder.check(inFlight - uploads.waiting);
        if (busy) {
          res.setHeader('Retry-After', '1');
          return sendJson(res, 503, { error: `Server busy (${shed(busy)}); retry in a second`, requestId });
        }
        if (proceduresOf(path).includes(PHOTO_UPLOAD_PROCEDURE) && !(await uploads.admit(req))) {
          res.setHeader('Retry-After', '30');
          res.setHeader('Connection', 'close');
          // In tRPC's own error shape, so the tablet's client reads the reason and the wait like any refusal.
          const message = 'Too many photos arriving at once; the photo was not stored, send it again in 30 s';
          const data = { code: 'SERVICE_UNAVAILABLE', httpStatus: 503, path: 'compliance.uploadPhoto', reason: 'uploads_busy', details: { retryAfterSeconds: 30 }, requestId };
          return sendJson(res, 503, { error: { json: { message, code: -32603, data } } });
        }
        if (req.method === 'GET' && (await cachedReads(req, res, path, query))) return;
        req.url = path + query;
        responses.set(req, res);
        const handler = takesUpload(path) ? trpcUpload : trpc;
        // Live streams and streamed batches go out as they are: a compressor would hold their parts back.
        if (streams.has(res) || streamedBatch(req)) return handler(req, res);
        return compressAnswer(req, res, () => {
          wholeBody(res);
          void handler(req, res);
        });
      }
      if (path.startsWith(EXPORT_PATH_PREFIX) || path === LABELS_PATH) {
        // Files of somebody's data: never kept by a browser or a shared cache.
        res.setHeader('Cache-Control', 'no-store');
        const busy = shedder.check(inFlight);
        if (busy) {
          res.setHeader('Retry-After', '1');
          return sendJson(res, 503, { error: `Server busy (${shed(busy)}); retry in a second`, requestId });
        }
        return await (path === LABELS_PATH ? labelsRoute(req, res) : exportRoute(req, res, path, query));
      }
      if (path.startsWith(PHOTO_PATH_PREFIX) || path.startsWith(COMPLIANCE_PHOTO_PATH_PREFIX)) return await imagesRoute(req, res, path);
      if (path === '/api/health/live') return sendJson(res, 200, { status: 'live' });
      if (path === '/api/health/ready') {
        res.setHeader('Cache-Control', 'no-store');
        const ready = await checkReady(services, draining);
        return sendJson(res, ready.ready ? 200 : 503, { status: ready.ready ? 'ready' : 'not_ready', ...(ready.reason ? { reason: ready.reason } : {}) });
      }
      if (path === '/api/metrics') return await serveMetrics(req, res, services);
      if (path === '/api/health') {
        const report = await checkHealth(services);
        return sendJson(res, healthHttpStatus(report), report);
      }
      if (path === MONITORING_TUNNEL_PATH) return await (monitoringTunnel ??= createMonitoringTunnel(services.env.SENTRY_DSN))(req, res, requestId);
      if (path === CSP_REPORT_PATH && req.method === 'POST') {
        refused.cspViolations++;
        log.warn({ report: (await readSmallBody(req, 16 * 1024)).slice(0, 2000) }, 'content security policy violation reported');
        res.writeHead(204).end();
        return;
      }
      if (path === QUEUE_BOARD_PATH || path.startsWith(`${QUEUE_BOARD_PATH}/`)) {
        res.setHeader('Content-Security-Policy', queueBoardPolicy);
        return await (queueBoard ??= createQueueBoard(services))(req, res);
      }
      // Next's own API route handlers are for serverless deploys only: here, the API has one door.
      if (path === '/api' || path.startsWith('/api/')) {
        refused.unknownApiPath++;
        return sendJson(res, 404, { error: 'Not found', requestId });
      }
      if ((path === INSTALL_PATH || path.startsWith(`${INSTALL_PATH}/`)) && (await installRoute(req, res, path, query))) return;
      if (opts.nextHandler) {
        applyPagePolicy(req, res);
        return await opts.nextHandler(req, res);
      }
      sendJson(res, 404, { error: 'Not found' });
    } catch (error) {
      log.error({ err: error, path, requestId }, 'unhandled request error');
      reportError(error, { requestId, path });
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal server error', requestId });
      else res.destroy();
    }
  };

  const traced = tracingEnabled();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (traced) inServerSpan(req, res, normalizedPath(req.url), () => void handle(req, res));
    else void handle(req, res);
  };
  const plainServer = http.createServer(listener);
  const secureServer = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, listener) : null;
  const servers = secureServer ? [secureServer, plainServer] : [plainServer];
  const sockets = new Set<Socket>();
  for (const inner of servers) {
    inner.keepAliveTimeout = 65_000;
    inner.headersTimeout = 66_000;
  }
  // With TLS, plain HTTP is answered on the same port (the install page, health checks; see plain-door.ts).
  const server: NetServer = secureServer ? samePort(secureServer, plainServer, { firstByteTimeoutMs: 66_000 }) : plainServer;
  // Every connection, from its first moment (one that has sent nothing yet, a TLS handshake under way): a shutdown
  // ends whatever is left of them once the requests in flight are answered.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  return {
    server,
    protocol: opts.tls ? ('https' as const) : ('http' as const),
    /** A new certificate for new connections (the local authority's renewal); open connections keep theirs. */
    setCertificate(tls: TlsOptions) {
      secureServer?.setSecureContext({ cert: tls.cert, key: tls.key });
    },
    /** Requests refused at the door since start, by cause. */
    refused: () => ({ ...refused }),
    listen(port: number, host: string): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    /**
     * The first step of a shutdown behind a load balancer: readiness fails (503) and every answer closes its
     * connection, while requests are still served; after a few health checks the balancer has stopped sending any.
     */
    beginDrain() {
      draining = true;
    },
    /** Stop accepting, let in-flight requests finish (bounded), then drop what is left. */
    async shutdown(timeoutMs: number): Promise<{ forced: boolean }> {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const stream of streams) stream.end();
      for (const inner of servers) inner.closeIdleConnections();
      const drained = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve));
      let timer: NodeJS.Timeout | undefined;
      const forced = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      for (const inner of servers) inner.closeIdleConnections();
      if (!forced) for (const inner of servers) inner.closeAllConnections();
      // What no server counts as a request: connections that said nothing yet, TLS handshakes, and (forced) the rest.
      for (const socket of sockets) socket.destroy();
      // Their connection checks (headersTimeout) stop with them; the inner servers of the shared port never listened.
      for (const inner of servers) if (inner !== server) inner.close(() => {});
      await closed;
      shedder.stop();
      return { forced };
    },
  };
}

/**
 * Decides before any work starts whether to refuse a request, so that under overload clients get a fast 503
 * instead of waiting 10 s for nothing: beyond `maxInFlight` always; while the event loop lags more than
 * `maxDelayMs`, beyond a quarter of it (enough to keep the CPU busy, few enough to answer them in time).
 */
/** The one procedure whose uploads wait their turn at the door (upload-gate.ts), however its path is spelled. */
const PHOTO_UPLOAD_PROCEDURE = 'compliance.uploadPhoto';

function createLoadShedder(maxInFlight: number, maxDelayMs: number) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let lagging = false;
  const timer = setInterval(() => {
    lagging = histogram.percentile(99) / 1e6 > maxDelayMs;
    histogram.reset();
  }, 250);
  timer.unref();
  const whileLagging = Math.max(1, Math.floor(maxInFlight / 4));
  return {
    check: (inFlight: number): string | null =>
      inFlight > maxInFlight ? 'too many requests in flight' : lagging && inFlight > whileLagging ? 'event loop overloaded' : null,
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

/**
 * tRPC writes an answer as chunks, flushes and ends without a length; the compressor judges the threshold only by
 * what `end` is given. Its (already patched) write and end get the whole body in one `end(body)`: small answers then
 * go uncompressed, and headers and body leave in one write, as before compression. Only for answers that are one
 * JSON value (not live streams nor streamed batches).
 */
function wholeBody(res: ServerResponse): void {
  const chunks: Buffer[] = [];
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    return true;
  }) as ServerResponse['write'];
  (res as ServerResponse & { flush?: () => void }).flush = () => {};
  res.end = ((chunk?: unknown) => {
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk as string));
    return chunks.length > 0 ? end(Buffer.concat(chunks)) : end();
  }) as ServerResponse['end'];
}

/** A small request body as text (a CSP report); past `limit` bytes the rest is dropped. */
async function readSmallBody(req: IncomingMessage, limit: number): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    if (text.length < limit) text += String(chunk).slice(0, limit - text.length);
  }
  return text;
}
