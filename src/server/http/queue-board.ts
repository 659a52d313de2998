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
    queues: Object.values(queueNames).map((name) => new BullMQAdapter(services.queues.queue(name), { readOnlyMode: true })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'MyInventory — filas' } },
  });
  const app = new Hono();
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
