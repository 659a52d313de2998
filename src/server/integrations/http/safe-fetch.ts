import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Every server-side fetch of an address that came from outside (an image URL from Open Food Facts, a product's
 * `imageUrl`) goes through here, so a URL cannot make our server reach its own network: https only; the host's
 * addresses, once DNS has resolved them and at the moment of connecting (no rebinding window), must be public;
 * each redirect is a new request checked the same way, at most `maxRedirects`; the body is capped in bytes and the
 * whole exchange in time.
 */

/** Addresses a fetch for the outside world may not reach: this host, its networks, the cloud metadata service. */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, 169.254.169.254 is the metadata service
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and the old IPv4-compatible form (::127.0.0.1)
  ['64:ff9b::', 96], // NAT64: carries an IPv4 address we would not see
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: carries an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some)
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Whether `address` (IPv4 or IPv6, IPv4-mapped included) is a public one. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type OutboundRefusal =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'address_not_allowed'
  | 'too_many_redirects'
  | 'too_large'
  | 'timeout'
  | 'unreachable';

/** A fetch refused or cut short by the policy, with why; never retried by the caller as if the network failed. */
export class OutboundRefused extends Error {
  constructor(
    readonly reason: OutboundRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

export type SafeFetchOptions = {
  /** Largest body accepted, in bytes (default 10 MB). */
  maxBytes?: number;
  /** The whole exchange, redirects included, in ms (default 10 s). */
  timeoutMs?: number;
  /** Redirects followed, each re-checked (default 3). */
  maxRedirects?: number;
  headers?: Record<string, string>;
  /**
   * `host:port` pairs reachable over plain http and whatever their address: the local stand-ins of tests and
   * development. Empty in production.
   */
  allowedHosts?: readonly string[];
  signal?: AbortSignal;
};

export type SafeResponse = { url: string; status: number; headers: IncomingMessage['headers']; body: Buffer };

/** A DNS lookup that answers only public addresses (all of the host's, or it refuses). */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused || addresses.length === 0) {
      return callback(new OutboundRefused('address_not_allowed', `${hostname} resolves to ${refused?.address ?? 'nothing'}, which is not a public address`), '', 0);
    }
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

function checkUrl(raw: string, allowedHosts: readonly string[]): { url: URL; allowed: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefused('invalid_url', `Not a URL: ${raw.slice(0, 200)}`);
  }
  const allowed = allowedHosts.includes(url.host);
  if (url.username || url.password) throw new OutboundRefused('invalid_url', 'URLs with credentials are not fetched');
  if (!(url.protocol === 'https:' || (allowed && url.protocol === 'http:'))) {
    throw new OutboundRefused('scheme_not_allowed', `Only https addresses are fetched, not ${url.protocol}`);
  }
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowed && isIP(literal) && !isPublicAddress(literal)) {
    throw new OutboundRefused('address_not_allowed', `${literal} is not a public address`);
  }
  return { url, allowed };
}

function requestOnce(url: URL, allowed: boolean, opts: Required<Pick<SafeFetchOptions, 'maxBytes'>> & { headers: Record<string, string>; signal: AbortSignal }) {
  return new Promise<SafeResponse>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'GET',
      headers: { 'accept-encoding': 'identity', ...opts.headers },
      signal: opts.signal,
      // The address is checked when the socket connects: the answer DNS gave is the one used.
      lookup: allowed ? undefined : publicOnlyLookup,
      agent: false,
    });
    request.on('error', (error) => reject(error instanceof OutboundRefused ? error : (error.cause as Error) instanceof OutboundRefused ? error.cause : error));
    request.on('response', (response) => {
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        response.destroy();
        reject(new OutboundRefused('too_large', `The answer declares ${declared} bytes; at most ${opts.maxBytes} are accepted`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) {
          response.destroy();
          reject(new OutboundRefused('too_large', `The answer passed ${opts.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('end', () => resolve({ url: url.toString(), status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.end();
  });
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
const withoutCredentials = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())));

/** GETs `raw` under the outbound policy (see the module's comment). Redirects are followed here, each checked. */
export async function safeFetch(raw: string, options: SafeFetchOptions = {}): Promise<SafeResponse> {
  const { maxBytes = 10 * 1024 * 1024, timeoutMs = 10_000, maxRedirects = 3, allowedHosts = [] } = options;
  let headers = options.headers ?? {};
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let target = raw;
  try {
    for (let hop = 0; ; hop++) {
      const { url, allowed } = checkUrl(target, allowedHosts);
      const response = await requestOnce(url, allowed, { maxBytes, headers, signal });
      const location = response.headers.location;
      if (response.status < 300 || response.status >= 400 || !location) return response;
      if (hop >= maxRedirects) throw new OutboundRefused('too_many_redirects', `More than ${maxRedirects} redirects from ${raw.slice(0, 200)}`);
      const next = new URL(location, url);
      // Credentials meant for one origin are not handed to another.
      if (next.origin !== url.origin) headers = withoutCredentials(headers);
      target = next.toString();
    }
  } catch (error) {
    if (error instanceof OutboundRefused) throw error;
    if (timeout.aborted) throw new OutboundRefused('timeout', `No complete answer from ${raw.slice(0, 200)} within ${timeoutMs} ms`);
    if (options.signal?.aborted) throw error;
    throw new OutboundRefused('unreachable', `Could not fetch ${raw.slice(0, 200)}: ${(error as Error).message}`);
  }
}
