import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import QRCode from 'qrcode';
import type { Env } from '~/env';
import { authorityFiles, certificateNames, readServerPair, serverFile, tlsDir } from './local-ca';
import { covers, isLoopback, lanAddresses, shortIp, tabletAddresses, urlHost, type HostNames } from './names';
import { tlsMode } from './tls';

/** What the install page and the admin's system page show about the store's local authority. */
export type LocalAuthority = {
  /** The authority's certificate, to download (PEM and DER). */
  pem: string;
  der: Buffer;
  subject: string;
  /** SHA-256 of the certificate, as tablets show it (colon-separated hex). */
  fingerprint: string;
  expiresAt: Date;
  server: { expiresAt: Date; names: HostNames };
};

let kept: { stamp: string; value: LocalAuthority } | null = null;

/**
 * The local authority as kept under DATA_DIR/tls (null unless the server runs with it and has made it). Read from the
 * files, so every instance and the renewal agree; parsed again only when a file changed.
 */
export async function readLocalAuthority(env: Env): Promise<LocalAuthority | null> {
  if (tlsMode(env) !== 'local-ca') return null;
  const dir = tlsDir(env.DATA_DIR);
  const authorityFile = authorityFiles(dir).cert;
  const serverPath = serverFile(dir);
  try {
    const stamps = await Promise.all([stat(authorityFile), stat(serverPath)]);
    const stamp = `${dir}|${stamps.map((s) => `${s.mtimeMs}:${s.size}`).join('|')}`;
    if (kept?.stamp === stamp) return kept.value;
    const [pem, serverPair] = await Promise.all([readFile(authorityFile, 'utf8'), readServerPair(serverPath)]);
    if (!serverPair?.cert) return null;
    const authority = new X509Certificate(pem);
    const server = new X509Certificate(serverPair.cert);
    const value: LocalAuthority = {
      pem,
      der: authority.raw,
      subject: authority.subject.split('\n').find((part) => part.startsWith('CN='))?.slice(3) ?? authority.subject,
      fingerprint: authority.fingerprint256,
      expiresAt: new Date(authority.validTo),
      server: { expiresAt: new Date(server.validTo), names: certificateNames(server) },
    };
    kept = { stamp, value };
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The host a tablet should use: the one it reached us by when the certificate covers it (and it is not this machine's
 * loopback), else the best LAN address the certificate covers.
 */
export function tabletHost(authority: LocalAuthority, requestHost: string | null, listenHost: string): string {
  if (requestHost && covers(authority.server.names, requestHost) && !isLoopback(requestHost)) return shortIp(requestHost);
  const best = offeredAddresses(authority, listenHost)[0];
  return best ?? authority.server.names.dns.find((n) => n !== 'localhost') ?? 'localhost';
}

/** The addresses tablets are offered (names.ts tabletAddresses) that the certificate covers, as people read them. */
function offeredAddresses(authority: LocalAuthority, listenHost: string): string[] {
  const offered = tabletAddresses(listenHost).filter((ip) => covers(authority.server.names, ip));
  return (offered.length > 0 ? offered : lanAddresses(authority.server.names)).map(shortIp);
}

export const httpsOrigin = (host: string, port: number) => `https://${urlHost(host)}${port === 443 ? '' : `:${port}`}`;
export const installUrl = (host: string, port: number) => `http://${urlHost(host)}${port === 80 ? '' : `:${port}`}/instalar`;

const qrCache = new Map<string, string>();

/** A QR code of `text` as an SVG document (kept: the same few addresses are asked for again and again). */
export async function qrSvg(text: string): Promise<string> {
  const hit = qrCache.get(text);
  if (hit) return hit;
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  if (qrCache.size >= 32) qrCache.delete(qrCache.keys().next().value!);
  qrCache.set(text, svg);
  return svg;
}

const svgDataUrl = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;

/**
 * The admin's view of the store's HTTPS (the system page): the authority's fingerprint and end, the server
 * certificate's end and names, and for each LAN address the install page and the secure address, the best one with
 * QR codes for a tablet to scan. Null unless the server runs with the local authority.
 */
export async function localHttpsSummary(env: Env) {
  const authority = await readLocalAuthority(env);
  if (!authority) return null;
  const hosts = offeredAddresses(authority, env.HOST);
  const addresses = hosts.map((host) => ({ host, appUrl: `${httpsOrigin(host, env.PORT)}/`, installUrl: installUrl(host, env.PORT) }));
  const best = addresses[0] ?? null;
  return {
    authority: { subject: authority.subject, fingerprint: authority.fingerprint, expiresAt: authority.expiresAt },
    server: { expiresAt: authority.server.expiresAt, names: [...authority.server.names.dns, ...authority.server.names.ips.map(shortIp)] },
    addresses,
    qr: best ? { installUrl: best.installUrl, install: svgDataUrl(await qrSvg(best.installUrl)), appUrl: best.appUrl, app: svgDataUrl(await qrSvg(best.appUrl)) } : null,
  };
}
