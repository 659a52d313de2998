import http from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';

/** One item of an envelope: its header and its payload (parsed when JSON). */
export type EnvelopeItem = { header: { type?: string; length?: number; [key: string]: unknown }; payload: unknown };
export type Envelope = { project: string; header: Record<string, unknown>; items: EnvelopeItem[]; raw: string };
/** The fields of an error event a test looks at. */
export type SentryEvent = {
  event_id?: string;
  environment?: string;
  release?: string;
  tags?: Record<string, string>;
  user?: Record<string, unknown>;
  request?: Record<string, unknown>;
  contexts?: { trace?: { trace_id?: string; span_id?: string } };
  exception?: { values?: { type?: string; value?: string }[] };
  message?: string;
  [key: string]: unknown;
};

/**
 * Splits an envelope: a header line, then items, each a header line and a payload whose `length` (when given) is
 * its size in bytes, or that runs to the next newline.
 */
export function parseEnvelope(body: Buffer): { header: Record<string, unknown>; items: EnvelopeItem[] } {
  let at = 0;
  const line = () => {
    const end = body.indexOf(0x0a, at);
    const text = body.subarray(at, end === -1 ? body.length : end).toString();
    at = end === -1 ? body.length : end + 1;
    return text;
  };
  const header = JSON.parse(line()) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  while (at < body.length) {
    const headerText = line();
    if (!headerText.trim()) continue;
    const itemHeader = JSON.parse(headerText) as EnvelopeItem['header'];
    let payloadText: string;
    if (typeof itemHeader.length === 'number') {
      payloadText = body.subarray(at, at + itemHeader.length).toString();
      at += itemHeader.length;
      if (body[at] === 0x0a) at++;
    } else payloadText = line();
    let payload: unknown = payloadText;
    try {
      payload = JSON.parse(payloadText);
    } catch {
      // an attachment: kept as text
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items };
}

/**
 * A local stand-in of Sentry's envelope endpoint (POST /api/<project>/envelope/), which the real SDK's transport
 * sends to when its DSN points here (`dsn` below). It accepts gzip'd or deflated bodies and keeps every envelope.
 */
export async function startSentryStandIn() {
  const envelopes: Envelope[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = /^\/api\/([^/]+)\/envelope\/?(\?.*)?$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) return res.writeHead(404).end();
      let body = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'];
      if (encoding === 'gzip') body = gunzipSync(body);
      else if (encoding === 'deflate') body = inflateSync(body);
      envelopes.push({ project: match[1]!, ...parseEnvelope(body), raw: body.toString() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    dsn: `http://publickey@127.0.0.1:${port}/42`,
    envelopes,
    /** Every error event received (items of type `event`). */
    events: () => envelopes.flatMap((e) => e.items.filter((i) => i.header.type === 'event').map((i) => i.payload as SentryEvent)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type SentryStandIn = Awaited<ReturnType<typeof startSentryStandIn>>;
