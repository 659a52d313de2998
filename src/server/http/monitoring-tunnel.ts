import type { IncomingMessage, ServerResponse } from 'node:http';
import { MONITORING_TUNNEL_PATH } from '~/lib/monitoring';
import { sendJson } from './respond';

export { MONITORING_TUNNEL_PATH };
/** An error envelope is a few KB; a page that floods us gets 413 past this. */
const MAX_ENVELOPE_BYTES = 200 * 1024;

/**
 * Forwards a browser's Sentry envelope to the configured DSN's envelope endpoint, and nothing else: an envelope
 * for any other DSN (another host or project) is refused, so this is no open relay. Without SENTRY_DSN, 404.
 */
export function createMonitoringTunnel(dsn: string | undefined) {
  const target = dsn ? new URL(dsn) : null;
  const projectId = target?.pathname.split('/').filter(Boolean).pop();
  const envelopeUrl = target && projectId ? `${target.protocol}//${target.host}${target.pathname.replace(/\/[^/]*$/, '')}/api/${projectId}/envelope/` : null;

  return async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    if (!target || !envelopeUrl) return sendJson(res, 404, { error: 'Not found', requestId });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only', requestId });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_ENVELOPE_BYTES) return sendJson(res, 413, { error: 'Envelope too large', requestId });
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const headerLine = body.subarray(0, Math.max(0, body.indexOf(0x0a))).toString();
    let envelopeDsn: URL;
    try {
      envelopeDsn = new URL((JSON.parse(headerLine) as { dsn?: string }).dsn ?? '');
    } catch {
      return sendJson(res, 400, { error: 'Not a Sentry envelope', requestId });
    }
    if (envelopeDsn.host !== target.host || envelopeDsn.pathname !== target.pathname || envelopeDsn.username !== target.username) {
      return sendJson(res, 400, { error: 'Envelope for another project', requestId });
    }
    const answer = await fetch(envelopeUrl, { method: 'POST', body, headers: { 'content-type': 'application/x-sentry-envelope' }, signal: AbortSignal.timeout(10_000) }).catch(() => null);
    if (!answer) return sendJson(res, 502, { error: 'Error tracking unreachable', requestId });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text().catch(() => ''));
  };
}
