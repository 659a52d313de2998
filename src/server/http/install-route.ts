import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Services } from '../services';
import { CA_CERT_FILE, CA_PEM_FILE, installPagePolicy, renderHttpsOffPage, renderInstallPage } from '../tls/install-page';
import { httpsOrigin, qrSvg, readLocalAuthority, tabletHost } from '../tls/status';
import { tlsMode } from '../tls/tls';

export const INSTALL_PATH = '/instalar';

/** The host a request names (no port, IPv6 without brackets), or null when it names none that parses. */
export function requestHost(req: IncomingMessage): string | null {
  try {
    return req.headers.host ? new URL(`http://${req.headers.host}`).hostname.replace(/^\[|\]$/g, '').toLowerCase() : null;
  } catch {
    return null;
  }
}

/**
 * The port the device reached us on: the one its Host names (behind a port mapping it is not the one we listen on),
 * else ours.
 */
export function requestPort(req: IncomingMessage): number {
  try {
    const port = req.headers.host ? new URL(`http://${req.headers.host}`).port : '';
    if (port) return Number(port);
  } catch {
    // No usable Host: ours.
  }
  return req.socket.localPort ?? 0;
}

/** Where the install page sends a device that already trusts the store: a path of this site, nothing else. */
function nextPath(query: string): string | null {
  const next = new URLSearchParams(query).get('para');
  return next && next.length <= 2000 && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : null;
}

/**
 * /instalar and the authority's certificate (src/server/tls/install-page.ts), over HTTPS and plain HTTP alike.
 * Returns false where there is nothing to install: behind a real domain (a given certificate, or a proxy that ends
 * TLS), the path is the app's (Next answers its 404).
 */
export function createInstallRoute(services: Services) {
  const { env } = services;
  return async (req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<boolean> => {
    const mode = tlsMode(env);
    if (mode === 'certificate' || (mode === 'off' && env.TRUST_PROXY)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed');
      return true;
    }
    res.setHeader('Content-Security-Policy', installPagePolicy(null));
    res.setHeader('Cache-Control', 'no-store');
    const authority = await readLocalAuthority(env);
    if (!authority) {
      if (path !== INSTALL_PATH && path !== `${INSTALL_PATH}/`) return false;
      sendHtml(req, res, renderHttpsOffPage());
      return true;
    }
    if (path === `${INSTALL_PATH}/${CA_CERT_FILE}`) {
      // DER with the type both Android and iPadOS install from a download.
      sendFile(req, res, authority.der, 'application/x-x509-ca-cert', CA_CERT_FILE);
      return true;
    }
    if (path === `${INSTALL_PATH}/${CA_PEM_FILE}`) {
      sendFile(req, res, Buffer.from(authority.pem), 'application/x-pem-file', CA_PEM_FILE);
      return true;
    }
    if (path !== INSTALL_PATH && path !== `${INSTALL_PATH}/`) return false;
    const origin = httpsOrigin(tabletHost(authority, requestHost(req), env.HOST), requestPort(req) || env.PORT);
    const secure = (req.socket as TLSSocket).encrypted === true;
    // The page's one request goes to the secure address, and nowhere else.
    res.setHeader('Content-Security-Policy', installPagePolicy(origin));
    sendHtml(req, res, renderInstallPage({ authority, origin, next: nextPath(query), secure, qr: await qrSvg(`${origin}/`) }));
    return true;
  };
}

function sendHtml(req: IncomingMessage, res: ServerResponse, html: string) {
  const body = Buffer.from(html);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendFile(req: IncomingMessage, res: ServerResponse, body: Buffer, type: string, name: string) {
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'content-disposition': `attachment; filename="${name}"` });
  res.end(req.method === 'HEAD' ? undefined : body);
}
