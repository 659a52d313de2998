import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress, OutboundRefused, safeFetch } from './safe-fetch';

/** A stand-in for the outside world on loopback: each test says what a path answers. */
let server: Server;
let origin: string;
let host: string;
const hits = new Map<string, number>();
let lastHeaders: Record<string, unknown> = {};
const routes: Record<string, (res: ServerResponse) => void> = {
  '/photo': (res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.from([0xff, 0xd8, 0xff, 0xe0])),
  '/to-metadata-http': (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
  '/to-metadata-https': (res) => res.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data/' }).end(),
  '/to-localhost': (res) => res.writeHead(301, { location: `https://localhost:${new URL(origin).port}/photo` }).end(),
  '/to-photo': (res) => res.writeHead(307, { location: '/photo' }).end(),
  '/to-other-origin': (res) => res.writeHead(302, { location: `${origin.replace('127.0.0.1', 'localhost')}/echo-headers` }).end(),
  '/echo-headers': (res) => res.writeHead(200).end(JSON.stringify(lastHeaders)),
  '/loop': (res) => res.writeHead(302, { location: '/loop' }).end(),
  '/declared-huge': (res) => res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) }).end(),
  '/endless': (res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg' });
    const chunk = Buffer.alloc(64 * 1024);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  },
  '/stall': () => undefined,
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    lastHeaders = req.headers;
    (routes[path] ?? ((r) => r.writeHead(404).end()))(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  host = `127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'fetched';
  } catch (error) {
    return error instanceof OutboundRefused ? error.reason : `other: ${(error as Error).message}`;
  }
}

describe('isPublicAddress', () => {
  it('refuses this host, private networks, link-local (the metadata service) and their IPv6 forms', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.5.4', '192.168.0.10', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', '::ffff:127.0.0.1', '::ffff:169.254.169.254', 'fe80::1', 'fec0::1', 'fd00::1', '64:ff9b::a9fe:a9fe', '64:ff9b:1::a00:1', '::7f00:1', 'localhost', '']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });
  it('takes public addresses', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '151.101.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPublicAddress(address), address).toBe(true);
  });
});

describe('safeFetch', () => {
  it('refuses every scheme but https, and literal addresses that are not public', async () => {
    for (const [url, reason] of [
      ['javascript:alert(1)', 'scheme_not_allowed'],
      ['data:image/png;base64,AAAA', 'scheme_not_allowed'],
      ['file:///etc/passwd', 'scheme_not_allowed'],
      ['http://example.com/a.jpg', 'scheme_not_allowed'],
      ['https://169.254.169.254/latest/meta-data/', 'address_not_allowed'],
      ['https://[::1]/x', 'address_not_allowed'],
      ['https://[::ffff:10.0.0.1]/x', 'address_not_allowed'],
      ['https://[::127.0.0.1]/x', 'address_not_allowed'],
      // Other spellings of 127.0.0.1: the URL parser writes them out before the check.
      ['https://2130706433/x', 'address_not_allowed'],
      ['https://0x7f.1/x', 'address_not_allowed'],
      ['https://017700000001/x', 'address_not_allowed'],
      ['https://127.1/x', 'address_not_allowed'],
      ['https://user:pw@example.com/x', 'invalid_url'],
      ['not a url', 'invalid_url'],
    ] as const) {
      expect(await refusal(safeFetch(url)), url).toBe(reason);
    }
  });

  it('checks the address after DNS: a name that resolves to loopback is refused before any connection', async () => {
    const before = [...hits.values()].reduce((a, b) => a + b, 0);
    expect(await refusal(safeFetch(`https://localhost:${new URL(origin).port}/photo`))).toBe('address_not_allowed');
    expect([...hits.values()].reduce((a, b) => a + b, 0)).toBe(before);
  });

  it('fetches from an allowed stand-in, following a redirect', async () => {
    const response = await safeFetch(`${origin}/to-photo`, { allowedHosts: [host] });
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${origin}/photo`);
    expect([...response.body]).toEqual([0xff, 0xd8, 0xff, 0xe0]);
  });

  it('re-checks every redirect: to the metadata service over http or https, or to a name of this host, is refused', async () => {
    expect(await refusal(safeFetch(`${origin}/to-metadata-http`, { allowedHosts: [host] }))).toBe('scheme_not_allowed');
    expect(await refusal(safeFetch(`${origin}/to-metadata-https`, { allowedHosts: [host] }))).toBe('address_not_allowed');
    expect(await refusal(safeFetch(`${origin}/to-localhost`, { allowedHosts: [host] }))).toBe('address_not_allowed');
  });

  it('hands no credentials to another origin a redirect points at', async () => {
    const otherHost = host.replace('127.0.0.1', 'localhost');
    const response = await safeFetch(`${origin}/to-other-origin`, { allowedHosts: [host, otherHost], headers: { authorization: 'Bearer secret', cookie: 'a=b', 'user-agent': 'MyInventory' } });
    const seen = JSON.parse(response.body.toString()) as Record<string, string>;
    expect(seen['user-agent']).toBe('MyInventory');
    expect(seen.authorization).toBeUndefined();
    expect(seen.cookie).toBeUndefined();
  });

  it('follows a bounded number of redirects', async () => {
    hits.delete('/loop');
    expect(await refusal(safeFetch(`${origin}/loop`, { allowedHosts: [host], maxRedirects: 3 }))).toBe('too_many_redirects');
    expect(hits.get('/loop')).toBe(4);
  });

  it('caps the size: a declared 50 MB answer is refused at once, an endless one once it passes the cap', async () => {
    expect(await refusal(safeFetch(`${origin}/declared-huge`, { allowedHosts: [host], maxBytes: 1024 * 1024 }))).toBe('too_large');
    const started = Date.now();
    expect(await refusal(safeFetch(`${origin}/endless`, { allowedHosts: [host], maxBytes: 2 * 1024 * 1024 }))).toBe('too_large');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('caps the time: a server that never answers is given up on', async () => {
    const started = Date.now();
    expect(await refusal(safeFetch(`${origin}/stall`, { allowedHosts: [host], timeoutMs: 300 }))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
