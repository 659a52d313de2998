import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { allows, permittedBy } from './constraints';
import { authorityFiles, certificateNames, ensureAuthority, ensureServerCertificate, readServerPair, reissueReason, serverFile } from './local-ca';
import { canonicalIp, covers, lanAddresses, machineNames, shortIp } from './names';

const newDir = async () => path.join(await mkdtemp(path.join(os.tmpdir(), 'mi-local-ca-')), 'tls');
const lan = (address: string) => ({ eth0: [{ address, family: address.includes(':') ? ('IPv6' as const) : ('IPv4' as const), internal: false, netmask: '', mac: '', cidr: null }] }) as unknown as NodeJS.Dict<os.NetworkInterfaceInfo[]>;
const modeOf = async (file: string) => (await stat(file)).mode & 0o777;
/** The machine of these tests: host name `caixa`, one address on the store's network. */
const here = machineNames([], lan('192.168.0.10'), 'caixa');

describe("the store's local certificate authority", () => {
  it('is made once, with a key only the server user reads, and kept across restarts', async () => {
    const dir = await newDir();
    const first = await ensureAuthority(dir, here);
    expect(first.created).toBe(true);
    expect(await modeOf(authorityFiles(dir).key)).toBe(0o600);
    expect(await modeOf(dir)).toBe(0o700);
    const ca = new X509Certificate(first.cert);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toMatch(/CN=MyInventory autoridade local/);
    // About ten years, so a tablet trusts it once.
    expect(new Date(ca.validTo).getTime() - Date.now()).toBeGreaterThan(9 * 365 * 86_400_000);

    const again = await ensureAuthority(dir, here);
    expect(again).toEqual({ key: first.key, cert: first.cert, created: false });
  });

  it('is one authority when two processes start together on one data directory', async () => {
    const dir = await newDir();
    const [a, b] = await Promise.all([ensureAuthority(dir, here), ensureAuthority(dir, here)]);
    expect(a.cert).toBe(b.cert);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
  });

  it('makes a key file that became readable by others private again', async () => {
    const dir = await newDir();
    const authority = await ensureAuthority(dir, here);
    await ensureServerCertificate(dir, authority, machineNames([], lan('192.168.0.10'), 'caixa'));
    await chmod(authorityFiles(dir).key, 0o644);
    await chmod(serverFile(dir), 0o644);
    await chmod(dir, 0o755);
    await ensureServerCertificate(dir, await ensureAuthority(dir, here), machineNames([], lan('192.168.0.10'), 'caixa'));
    expect(await modeOf(authorityFiles(dir).key)).toBe(0o600);
    expect(await modeOf(serverFile(dir))).toBe(0o600);
    expect(await modeOf(dir)).toBe(0o700);
  });

  it("signs the server's certificate for the machine's names and addresses, and re-signs only what changed", async () => {
    const dir = await newDir();
    const names = machineNames(['estoque.loja.example', '10.9.8.7'], lan('192.168.0.10'), 'caixa');
    const authority = await ensureAuthority(dir, names);
    const first = await ensureServerCertificate(dir, authority, names);
    expect(first.reissued).toBe('none yet');
    const cert = new X509Certificate(first.cert);
    const ca = new X509Certificate(authority.cert);
    expect(cert.checkIssued(ca) && cert.verify(ca.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    // The authority is no part of what the server sends: a tablet that trusts it has it already.
    expect(first.cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    expect(certificateNames(cert)).toEqual({ dns: ['caixa', 'caixa.local', 'estoque.loja.example', 'localhost'], ips: ['10.9.8.7', '192.168.0.10', '0:0:0:0:0:0:0:1', '127.0.0.1'] });
    // Apple's devices refuse a server certificate valid for more than 398 days.
    expect(new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(398 * 86_400_000);
    // Its own key identifier and the authority's: OpenSSL's strict checks (as Python 3.13's default context) pass.
    const keyIds = new x509.X509Certificate(first.cert);
    expect(keyIds.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(new x509.X509Certificate(authority.cert).getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);
    expect(keyIds.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(execFileSync('openssl', ['verify', '-x509_strict', '-CAfile', authorityFiles(dir).cert, serverFile(dir)], { encoding: 'utf8' })).toMatch(/: OK/);

    // A restart on the same network: nothing new.
    const same = await ensureServerCertificate(dir, authority, names);
    expect(same.reissued).toBeNull();
    expect(same.cert).toBe(first.cert);

    // The machine got a new address: a new server certificate, from the same authority, and the authority untouched.
    const moved = machineNames(['estoque.loja.example', '10.9.8.7'], lan('192.168.1.23'), 'caixa');
    const reissued = await ensureServerCertificate(dir, authority, moved);
    expect(reissued.reissued).toBe('new names: 192.168.1.23');
    expect(reissued.key).not.toBe(first.key);
    const next = new X509Certificate(reissued.cert);
    expect(next.checkIssued(ca) && next.verify(ca.publicKey)).toBe(true);
    expect(covers(certificateNames(next), '192.168.1.23')).toBe(true);
    expect(await readFile(authorityFiles(dir).cert, 'utf8')).toBe(authority.cert);
    // Certificate and key in one file, replaced in one rename: never the key of one and the certificate of another.
    expect(await readServerPair(serverFile(dir))).toEqual({ cert: reissued.cert, key: reissued.key });
  });

  it('re-signs a server certificate near its end, or one another authority signed', async () => {
    const dir = await newDir();
    const authority = await ensureAuthority(dir, here);
    const names = machineNames([], lan('192.168.0.10'), 'caixa');
    const current = await ensureServerCertificate(dir, authority, names);
    expect(reissueReason(current, authority, names, new Date(Date.now() + 300 * 86_400_000))).toBeNull();
    expect(reissueReason(current, authority, names, new Date(Date.now() + 370 * 86_400_000))).toMatch(/^expires /);
    const other = await ensureAuthority(await newDir(), here);
    expect(reissueReason(current, other, names)).toBe('signed by another authority');
    // Made while the clock ran ahead: not valid yet anywhere else.
    expect(reissueReason(current, authority, names, new Date(Date.now() - 3 * 86_400_000))).toMatch(/^not valid before /);
    // A key of another certificate (a torn write, a copy): replaced, not served (the TLS server would refuse to start).
    const elsewhere = await ensureServerCertificate(await newDir(), authority, names);
    expect(reissueReason({ cert: current.cert, key: elsewhere.key }, authority, names)).toBe('key and certificate do not match');
    expect(reissueReason({ cert: 'garbage', key: current.key }, authority, names)).toMatch(/^unreadable/);
    // One issued before certificates carried the authority's key identifier (as selfsigned signed them): replaced.
    const old = await generate([{ name: 'commonName', value: 'caixa' }], {
      keySize: 2048,
      algorithm: 'sha256',
      ca: authority,
      extensions: [{ name: 'subjectAltName', altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))] }],
    });
    expect(reissueReason({ cert: old.cert, key: old.private }, authority, names)).toBe('no authority key identifier');
  });
});

describe("what the store's authority may sign (Name Constraints)", () => {
  it('permits the store\'s own names and networks only, and leaves a name outside them out of the certificate', async () => {
    const dir = await newDir();
    const authority = await ensureAuthority(dir, machineNames(['estoque.loja.example'], lan('203.0.113.5'), 'caixa'));
    const permitted = permittedBy(authority.cert)!;
    expect(permitted.dns.sort()).toEqual(['caixa', 'estoque.loja.example', 'local', 'localhost']);
    expect(permitted.ips).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', 'fc00::/7', '203.0.113.5/32']));
    expect(['caixa.local', 'balcao.caixa', '192.168.44.3', '10.1.2.3', '203.0.113.5', 'fd00::2'].every((n) => allows(permitted, n))).toBe(true);
    expect(['www.google.com', 'local.example.com', '8.8.8.8', '203.0.113.6', '2001:db8::1'].some((n) => allows(permitted, n))).toBe(false);

    // A name given after the authority was made, outside what it may sign: left out (in, every device would refuse
    // the whole certificate), and said so; the names it may sign still are.
    const server = await ensureServerCertificate(dir, authority, machineNames(['estoque.loja.example', 'outra.example.com'], lan('192.168.7.7'), 'caixa'));
    expect(server.refused).toEqual(['outra.example.com']);
    const names = certificateNames(new X509Certificate(server.cert));
    expect(names.dns).not.toContain('outra.example.com');
    expect(covers(names, '192.168.7.7') && covers(names, 'estoque.loja.example')).toBe(true);
  });

  it('is enforced by a TLS client: a certificate the key signs for a public site is refused, one for the store accepted', async () => {
    const dir = await newDir();
    const authority = await ensureAuthority(dir, here);
    // As someone holding a copy of the key would sign (selfsigned directly, past ensureServerCertificate's filter).
    const sign = (name: string) =>
      generate([{ name: 'commonName', value: name }], { keySize: 2048, algorithm: 'sha256', ca: { key: authority.key, cert: authority.cert }, extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: name }] }] });
    const connect = async (name: string) => {
      const leaf = await sign(name);
      const server = tls.createServer({ key: leaf.private, cert: leaf.cert }, (socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        return await new Promise<string>((resolve) => {
          const socket = tls.connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port, servername: name, ca: authority.cert }, () => {
            resolve('accepted');
            socket.end();
          });
          socket.on('error', (error: NodeJS.ErrnoException) => resolve(`${error.code}: ${error.message}`));
        });
      } finally {
        server.close();
      }
    };
    expect(await connect('caixa.local')).toBe('accepted');
    expect(await connect('www.google.com')).toMatch(/permitted subtree violation/);
  });
});

describe('the names a certificate covers', () => {
  it('leaves out link-local IPv6 and internal interfaces, puts private IPv4 first, and spells IPv6 one way', () => {
    const interfaces = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      eth0: [
        { address: '203.0.113.5', family: 'IPv4', internal: false },
        { address: 'fe80::1c2:3ff:fe4d:5e6f', family: 'IPv6', internal: false },
        { address: 'fd00::2', family: 'IPv6', internal: false },
      ],
      wlan0: [{ address: '192.168.0.10', family: 'IPv4', internal: false }],
    } as unknown as NodeJS.Dict<os.NetworkInterfaceInfo[]>;
    const names = machineNames(['LOJA.example'], interfaces, 'Caixa');
    expect(names.dns).toEqual(['caixa', 'caixa.local', 'localhost', 'loja.example']);
    expect(lanAddresses(names)).toEqual(['192.168.0.10', '203.0.113.5', 'fd00:0:0:0:0:0:0:2']);
    expect(canonicalIp('::ffff:192.168.0.1')).toBe('0:0:0:0:0:ffff:c0a8:1');
    expect(['fd00:0:0:0:0:0:0:2', '0:0:0:0:0:0:0:1', '1:0:0:2:0:0:0:3', '1:2:3:4:5:6:7:8', '127.0.0.1'].map(shortIp)).toEqual(['fd00::2', '::1', '1:0:0:2::3', '1:2:3:4:5:6:7:8', '127.0.0.1']);
    expect(covers(names, 'FD00::0002')).toBe(true);
    expect(covers(names, 'fe80::1c2:3ff:fe4d:5e6f')).toBe(false);
  });
});
