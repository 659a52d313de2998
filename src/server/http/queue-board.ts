import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { getRequestListener } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { resolvePrincipal } from '../auth/authenticate';
import { SESSION_COOKIE } from '../auth/secrets';
import { queueNames } from '../queues/definitions';
import type { Services } from '../services';
import { readCookie } from '../auth/cookies';
import { bearerFrom } from './request-meta';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board (its Hono adapter) inside our server under /admin/queues. Only admins get through: the session
 * or token is checked here, before the board sees the request — not hidden behind an unlisted URL. Read-only:
 * the queues are shared by every organization, and removing or retrying jobs from here would bypass the
 * dead-letter queue and its history; admins retry from their own organization's dead-letter page.
 */
export function createQueueBoard(services: Services) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: Object.values(queueNames).map((name) => new BullMQAdapter(services.queues.queue(name), { readOnlyMode: true })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'MyInventory — filas' } },
  });
  const app = new Hono();
  app.route(QUEUE_BOARD_PATH, adapter.registerPlugin());
  const listener = getRequestListener(app.fetch);

  return async (req: IncomingMessage, res: ServerResponse) => {
    const { principal } = await resolvePrincipal(services, {
      sessionSecret: readCookie(req.headers.cookie, SESSION_COOKIE),
      bearer: bearerFrom(req.headers.authorization),
    });
    if (!principal) {
      res.writeHead(302, { location: `/login?next=${encodeURIComponent(req.url ?? QUEUE_BOARD_PATH)}` });
      return res.end();
    }
    if (principal.role !== 'admin') {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end('Acesso negado: o monitor de filas é só para administradores.');
    }
    await listener(req, res);
  };
}
