import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgFixture, createTestServices, TEST_PASSWORD } from '../../../tests/helpers/harness';
import { createLogger } from '../logger';
import type { Services } from '../services';
import { createAppServer } from '../http/server';
import { authorityFiles, ensureAuthority, ensureServerCertificate, readServerPair, serverFile } from './local-ca';
import { machineNames } from './names';
import { loadTls, startCertificateRenewal } from './tls';

const silent = createLogger({ level: 'silent' });

/** A plain-HTTP request to the server as a device on the network sends it (its Host names the LAN address). */
function plainRequest(port: number, pathname: string, opts: { host?: string; method?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method: opts.method ?? 'GET', headers: { host: `${opts.host ?? '192.168.0.10'}:${port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The names on the certificate a new TLS connection is given. */
function servedNames(port: number, ca: string) {
  return new Promise<string>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate().subjectaltname ?? '');
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe("HTTPS with the store's local authority, and plain HTTP on the same port", () => {
  let services: Services;
  let close: () => Promise<void>;
  let app: ReturnType<typeof createAppServer>;
  let port: number;
  let ca: string;
  let trusting: Agent;

  beforeAll(async () => {
    ({ services, close } = await createTestServices({ HTTPS_LOCAL_CA: 'true', HTTPS_HOSTNAMES: '192.168.0.10' }));
    await createOrgFixture(services, 'tls');
    app = createAppServer({ services, tls: await loadTls(services.env, silent) });
    port = await app.listen(0, '127.0.0.1');
    ca = await readFile(authorityFiles(path.join(services.env.DATA_DIR, 'tls')).cert, 'utf8');
    // A client that trusts the authority, and nothing else: no flag that ignores certificate errors.
    trusting = new Agent({ connect: { ca } });
  });
  afterAll(async () => {
    await app.shutdown(1000);
    await close();
  });

  it('serves HTTPS a client trusting the authority accepts, and marks the session cookie Secure', async () => {
    const res = await undiciFetch(`https://127.0.0.1:${port}/api/trpc/auth.login`, {
      method: 'POST',
      dispatcher: trusting,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { email: 'clerk@tls.test', password: TEST_PASSWORD } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax; Expires=.*; Secure/);
    await expect(undiciFetch(`https://127.0.0.1:${port}/api/health/live`, { dispatcher: new Agent() })).rejects.toThrow();
  });

  it('keeps its authority and certificate across a restart', async () => {
    const again = await loadTls(services.env, silent);
    expect(String(again!.cert)).toBe((await readServerPair(serverFile(path.join(services.env.DATA_DIR, 'tls'))))!.cert);
    expect(await readFile(authorityFiles(path.join(services.env.DATA_DIR, 'tls')).cert, 'utf8')).toBe(ca);
  });

  it('sends a device on the network that asks for a page over plain HTTP to the install page, and keeps where it was going', async () => {
    const res = await plainRequest(port, '/inventory?x=1');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/instalar?para=%2Finventory%3Fx%3D1');
  });

  it('shows the install page over plain HTTP: the authority to download, its fingerprint, the secure address and its QR code', async () => {
    const res = await plainRequest(port, '/instalar?para=/inventory');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toMatch(/script-src 'sha256-/);
    const html = res.body.toString('utf8');
    const fingerprint = new X509Certificate(ca).fingerprint256;
    expect(html).toContain(fingerprint);
    expect(html).toContain(`data-https="https://192.168.0.10:${port}"`);
    expect(html).toContain('data-next="/inventory"');
    expect(html).toContain('<svg');
    expect(html).toContain('Tablet Android');
    expect(html).toContain('iPad (iPadOS)');
    // A `para` that leaves the site is dropped.
    expect((await plainRequest(port, '/instalar?para=//evil.example/')).body.toString()).not.toContain('data-next="');

    const der = await plainRequest(port, '/instalar/myinventory-ca.crt');
    expect(der.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(der.headers['content-disposition']).toBe('attachment; filename="myinventory-ca.crt"');
    expect(new X509Certificate(der.body).fingerprint256).toBe(fingerprint);
    const pem = await plainRequest(port, '/instalar/myinventory-ca.pem');
    expect(pem.body.toString()).toBe(ca);
  });

  it('answers health checks over plain HTTP, refuses the API in clear, and lets this machine’s own browser use the app', async () => {
    expect((await plainRequest(port, '/api/health/live')).status).toBe(200);
    const api = await plainRequest(port, '/api/trpc/auth.me');
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body.toString())).toMatchObject({ reason: 'https_required', error: `This server answers over HTTPS only: use https://192.168.0.10:${port}` });
    const login = await plainRequest(port, '/api/trpc/auth.login', { method: 'POST' });
    expect([login.status, JSON.parse(login.body.toString()).reason]).toEqual([403, 'https_required']);
    // A Host that says localhost from another machine is not this machine's browser. (The test connects from loopback,
    // so it can only show the Host is read: the door also checks the connection's own address.)
    // localhost is a secure context without TLS: no detour (no Next here, so the page is this server's 404).
    expect((await plainRequest(port, '/inventory', { host: 'localhost' })).status).toBe(404);
    expect((await plainRequest(port, '/api/trpc/auth.me', { host: '127.0.0.1' })).status).toBe(401);
  });

  it('the renewal swaps in a certificate for a new name for new connections, without a restart, from the same authority', async () => {
    expect(await servedNames(port, ca)).not.toContain('estoque.local');
    const env = { ...services.env, HTTPS_HOSTNAMES: [...services.env.HTTPS_HOSTNAMES] };
    const served = { cert: (await readServerPair(serverFile(path.join(env.DATA_DIR, 'tls'))))!.cert, key: '' };
    const renewal = startCertificateRenewal(env, silent, served, (next) => app.setCertificate(next), 3_600_000);
    try {
      await renewal.check();
      expect(await servedNames(port, ca), 'nothing changed, nothing swapped').not.toContain('estoque.local');
      // The machine now answers to one more name (as after a new address), one the authority may sign.
      env.HTTPS_HOSTNAMES.push('estoque.local');
      await renewal.check();
      expect(await servedNames(port, ca)).toContain('DNS:estoque.local');
      expect(await readFile(authorityFiles(path.join(env.DATA_DIR, 'tls')).cert, 'utf8')).toBe(ca);
    } finally {
      renewal.stop();
    }
  });
});

describe('behind a real domain', () => {
  it('shows no install page, and moves plain-HTTP pages to HTTPS', async () => {
    // A certificate given as if it were the domain's (one of a local authority's, for the test's client to trust).
    const tlsFiles = path.join(await mkdtemp(path.join(os.tmpdir(), 'mi-domain-')), 'tls');
    const pair = await ensureServerCertificate(tlsFiles, await ensureAuthority(tlsFiles, machineNames([])), machineNames([]));
    await writeFile(path.join(tlsFiles, 'domain.crt'), pair.cert);
    await writeFile(path.join(tlsFiles, 'domain.key'), pair.key);
    const { services, close } = await createTestServices({ HTTPS_CERT_FILE: path.join(tlsFiles, 'domain.crt'), HTTPS_KEY_FILE: path.join(tlsFiles, 'domain.key'), HTTPS_LOCAL_CA: 'true' });
    const app = createAppServer({ services, tls: await loadTls(services.env, silent) });
    const port = await app.listen(0, '127.0.0.1');
    try {
      const page = await plainRequest(port, '/inventory?x=1', { host: 'estoque.example' });
      expect(page.status).toBe(308);
      expect(page.headers.location).toBe(`https://estoque.example:${port}/inventory?x=1`);
      const install = await undiciFetch(`https://127.0.0.1:${port}/instalar`, { dispatcher: new Agent({ connect: { ca: await readFile(authorityFiles(tlsFiles).cert) } }) });
      expect(install.status).toBe(404);
    } finally {
      await app.shutdown(1000);
      await close();
    }
  });

  it('with plain HTTP behind a proxy, has no install page; a plain server in the store explains how to turn HTTPS on', async () => {
    for (const [trustProxy, status, text] of [
      ['true', 404, 'Not found'],
      ['false', 200, 'Este servidor ainda não usa HTTPS'],
    ] as const) {
      const { services, close } = await createTestServices({ TRUST_PROXY: trustProxy });
      const app = createAppServer({ services });
      const port = await app.listen(0, '127.0.0.1');
      try {
        const res = await plainRequest(port, '/instalar');
        expect(res.status).toBe(status);
        expect(res.body.toString()).toContain(text);
      } finally {
        await app.shutdown(1000);
        await close();
      }
    }
  });
});

describe('shutdown with HTTPS and plain HTTP on one port', () => {
  it('ends within its time limit, with connections that never sent anything or stopped mid-handshake', async () => {
    const { services, close } = await createTestServices({ HTTPS_LOCAL_CA: 'true' });
    const app = createAppServer({ services, tls: await loadTls(services.env, silent) });
    const port = await app.listen(0, '127.0.0.1');
    const open = (first?: Buffer) =>
      new Promise<net.Socket>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          if (first) socket.write(first);
          resolve(socket);
        });
        socket.on('error', () => {});
      });
    // A browser's preconnect (nothing sent), the first byte of a TLS handshake, and a plain request's first line.
    const sockets = await Promise.all([open(), open(Buffer.from([0x16, 0x03, 0x01])), open(Buffer.from('GET / HTTP/1.1\r\n'))]);
    try {
      const started = Date.now();
      await app.shutdown(500);
      expect(Date.now() - started).toBeLessThan(3000);
      await new Promise((r) => setTimeout(r, 50));
      expect(sockets.map((s) => s.destroyed || s.readableEnded)).toEqual([true, true, true]);
    } finally {
      for (const s of sockets) s.destroy();
      await close();
    }
  });
});
