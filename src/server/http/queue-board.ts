import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { getRequestListener } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { resolveCaller } from '../auth/authenticate';
import { SESSION_COOKIE } from '../auth/secrets';
import { queueNames } from '../queues/definitions';
import { queueOffReason } from '../operations/queues';
import type { Services } from '../services';
import { readCookie } from '../auth/cookies';
import { bearerFrom } from './request-meta';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board (its Hono adapter) inside our server under /admin/queues. The queues hold every organization's jobs
 * (ids, org ids, payloads, return values), so only the platform operator gets through, never an org's admin: the
 * session is checked here, before the board sees the request — not hidden behind an unlisted URL. Read-only:
 * removing or retrying jobs from here would bypass the dead-letter queue and its history; retries go through the
 * dead-letter pages (an org admin's for the org's letters, the operator's for the system's).
 */
export function createQueueBoard(services: Services) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    // A queue idle on purpose (push without an FCM project) is left out: the board would flag it "no workers".
    queues: Object.values(queueNames)
      .filter((name) => queueOffReason(services.env, name) === null)
      .map((name) => new BullMQAdapter(services.queues.queue(name), { readOnlyMode: true })),
    serverAdapter: adapter,
    options: {
      uiConfig: {
        boardTitle: 'MyInventory — filas',
        locale: { lng: 'pt-BR' },
        // Its docs link goes to the internet; the way back to our own screens is what an operator needs.
        hideDocsLink: true,
        miscLinks: [{ text: 'Voltar ao MyInventory', url: '/operator' }],
      },
    },
  });
  const app = new Hono();
  // The board's page asks Google for its fonts: a store's offline LAN has no internet, and our CSP allows only
  // our own server. The page is served without that link (the fonts fall back to the system's).
  app.use(`${QUEUE_BOARD_PATH}/*`, async (c, next) => {
    await next();
    if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
    const html = withoutOutsideAssets(await c.res.text());
    c.res = new Response(html, { status: c.res.status, headers: c.res.headers });
  });
  app.route(QUEUE_BOARD_PATH, adapter.registerPlugin());
  const listener = getRequestListener(app.fetch);

  return async (req: IncomingMessage, res: ServerResponse) => {
    const { caller } = await resolveCaller(services, {
      sessionSecret: readCookie(req.headers.cookie, SESSION_COOKIE),
      bearer: bearerFrom(req.headers.authorization),
    });
    if (!caller) {
      res.writeHead(302, { location: `/login?next=${encodeURIComponent(req.url ?? QUEUE_BOARD_PATH)}` });
      return res.end();
    }
    if (caller.kind !== 'operator') {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end('Acesso negado: o monitor de filas mostra os jobs de todas as redes e é só para o operador da plataforma.');
    }
    await listener(req, res);
  };
}

/** Bull Board's page without the `<link>`s it would load from another origin (Google Fonts). */
export function withoutOutsideAssets(html: string): string {
  return html.replace(/<link\b[^>]*\bhref="https?:\/\/[^"]*"[^>]*>/gi, '');
}
