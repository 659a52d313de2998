import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { watchSources } from '../observability/sources';
import type { Services } from '../services';
import { bearerFrom } from './request-meta';
import { sendJson } from './respond';

const sameToken = (given: string | null, expected: string) => {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Prometheus's scrape of this process: only with `Authorization: Bearer <METRICS_TOKEN>`, and not at all (404, as
 * any unknown path) when no token is configured — the figures count every organization's work.
 */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, services: Services) {
  const token = services.env.METRICS_TOKEN;
  res.setHeader('Cache-Control', 'no-store');
  if (!token) return sendJson(res, 404, { error: 'Not found' });
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendJson(res, 405, { error: 'Use GET' });
  }
  if (!sameToken(bearerFrom(req.headers.authorization), token)) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    return sendJson(res, 401, { error: 'A valid metrics bearer token is required' });
  }
  watchSources(services);
  const { contentType, body } = await services.metrics.exposition();
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * A worker process's own metrics port (WORKER_METRICS_PORT, with METRICS_TOKEN): GET /metrics, and /health/live for
 * a supervisor. Nothing else is served on it.
 */
export async function startMetricsServer(services: Services, opts: { port: number; host: string }) {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      serveMetrics(req, res, services).catch((error: unknown) => {
        services.logger.error({ err: error }, 'metrics scrape failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'Internal server error' });
      });
      return;
    }
    if (path === '/health/live') return sendJson(res, 200, { status: 'live' });
    sendJson(res, 404, { error: 'Not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
