import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type WebhookMessage = { at: number; body: Record<string, unknown> & { text?: string } };

/** A Slack-compatible incoming webhook: records each POSTed JSON body with when it arrived; `fail` answers 500. */
export async function startWebhookStandIn() {
  const messages: WebhookMessage[] = [];
  let failing = false;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST') return res.writeHead(405).end();
      if (failing) return res.writeHead(500).end('stand-in failing');
      try {
        messages.push({ at: Date.now(), body: JSON.parse(raw) as WebhookMessage['body'] });
      } catch {
        return res.writeHead(400).end('invalid_payload');
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXX`,
    messages,
    fail(on: boolean) {
      failing = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
