import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TlsMode } from '../tls/tls';
import { isLoopback, urlHost } from '../tls/names';
import { INSTALL_PATH, requestHost, requestPort } from './install-route';
import { sendJson } from './respond';

/**
 * A plain-HTTP request on the port that serves HTTPS (same-port.ts): what it may have. Health checks and the install
 * page answer as they are; with the store's local authority, a page asked for by a device on the network goes to the
 * install page (which sends a device that already trusts the store on to the secure address), while this machine's
 * own browser (localhost, a secure context without TLS) uses the app as before; with a given certificate, pages move
 * to HTTPS. Anything else (the API, a form) is refused: a session or a token never travels in clear.
 * Returns true when it has answered.
 */
export function answerPlainRequest(req: IncomingMessage, res: ServerResponse, opts: { mode: TlsMode; path: string; query: string; requestId: string }): boolean {
  const { mode, path, query, requestId } = opts;
  if (path.startsWith('/api/health') || path === INSTALL_PATH || path.startsWith(`${INSTALL_PATH}/`)) return false;
  const host = requestHost(req);
  // This machine's own browser: the Host says so and so does the connection (a Host header alone is anybody's to write).
  if (mode === 'local-ca' && host && isLoopback(host) && isLoopback(req.socket.remoteAddress ?? '')) return false;
  const port = requestPort(req);
  const secureUrl = host ? `https://${urlHost(host)}${port === 443 ? '' : `:${port}`}` : null;
  const page = (req.method === 'GET' || req.method === 'HEAD') && !path.startsWith('/api/');
  if (page && mode === 'local-ca') {
    res.writeHead(302, { location: `${INSTALL_PATH}?para=${encodeURIComponent(path + query)}`, 'cache-control': 'no-store' }).end();
    return true;
  }
  if (page && secureUrl) {
    res.writeHead(308, { location: `${secureUrl}${path}${query}`, 'cache-control': 'no-store' }).end();
    return true;
  }
  sendJson(res, 403, { error: `This server answers over HTTPS only${secureUrl ? `: use ${secureUrl}` : ''}`, reason: 'https_required', requestId });
  return true;
}
