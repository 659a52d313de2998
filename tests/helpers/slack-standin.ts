import http from 'node:http';

/** One Slack message as Alertmanager's `slack_configs` posts it (only the fields the tests read). */
export type SlackMessage = {
  at: number;
  body: { channel?: string; username?: string; text?: string; attachments?: { title?: string; text?: string; color?: string; fallback?: string }[]; [field: string]: unknown };
};

/**
 * A local stand-in of a Slack incoming webhook: answers `ok` to every POST and records its JSON with the time it
 * arrived (`fail(true)`: answers 500 and records nothing). `url` is what Alertmanager's `api_url_file` (or
 * ALERT_WEBHOOK_URL) holds in tests.
 */
export async function startSlackStandIn() {
  const messages: SlackMessage[] = [];
  let failing = false;
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      if (req.method !== 'POST') {
        res.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed');
        return;
      }
      if (failing) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('stand-in failing');
        return;
      }
      let body: SlackMessage['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SlackMessage['body'];
      } catch {
        // Slack answers a body it cannot read with 400 invalid_payload.
        res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
        return;
      }
      messages.push({ at, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/standin`,
    messages,
    fail(on: boolean) {
      failing = on;
    },
    /** The first message (from the `from`-th on) that `match` accepts; rejects after `timeoutMs`. */
    waitFor(match: (m: SlackMessage) => boolean, timeoutMs: number, from = 0): Promise<SlackMessage> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.slice(from).find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching Slack message within ${timeoutMs} ms (${messages.length} received: ${messages.map((m) => m.body.attachments?.[0]?.title ?? m.body.text).join(' | ')})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
