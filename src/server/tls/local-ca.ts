import { createPrivateKey, createPublicKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { nameConstraintsExtension, permittedBy, permittedFor, signable } from './constraints';
import { missingNames, type HostNames } from './names';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** Every key here: RSA 2048, signatures PKCS#1 v1.5 with SHA-256 (what every tablet's TLS stack accepts). */
const RSA_SHA256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

/**
 * The store's own certificate authority (README "HTTPS in the store"). Tablets trust it once; it signs the server's
 * certificate for this machine's names and addresses, and signs a new one whenever they change or the old one nears
 * its end, so no tablet ever has to trust anything twice. Everything lives in DATA_DIR/tls; the keys are readable by
 * the server's user only.
 */
export type KeyPair = { key: string; cert: string };

/** Ten years: a tablet trusts the authority once for its working life. */
const AUTHORITY_DAYS = 3650;
/** Apple's devices refuse server certificates valid for longer than 398 days. */
const SERVER_DAYS = 397;
/** A server certificate this close to its end is replaced at start or by the renewal check. */
export const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

export const tlsDir = (dataDir: string) => path.resolve(dataDir, 'tls');
export const authorityFiles = (dir: string) => ({ key: path.join(dir, 'ca-key.pem'), cert: path.join(dir, 'ca.pem') });
/** The server's certificate and its key in one file (0600), replaced in one rename: never a key of one and a certificate of another. */
export const serverFile = (dir: string) => path.join(dir, 'server.pem');
/** What HTTPS_SELF_SIGNED made before the local authority: removed at its first start. */
const SELF_SIGNED_FILES = ['cert.pem', 'key.pem'];

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/;
const PEM_KEY = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----\n?/;

/**
 * The authority kept under `dir`, made on first call. Two processes starting together on one DATA_DIR end with one
 * authority: the key file is created by a hard link, which fails when another got there first (that one is read).
 */
export async function ensureAuthority(dir: string, names: HostNames): Promise<KeyPair & { created: boolean }> {
  const files = authorityFiles(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // A directory made earlier (by the self-signed mode before this one) is made the server user's alone too.
  await chmod(dir, 0o700);
  await Promise.all(SELF_SIGNED_FILES.map((name) => rm(path.join(dir, name), { force: true })));
  const existing = await readPair(files);
  if (existing) {
    await keepPrivate(files.key);
    return { ...existing, created: false };
  }
  const made = await makeAuthority(names);
  const staged = `${files.key}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(staged, made.key, { mode: 0o600 });
  try {
    await link(staged, files.key);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process made the authority a moment ago: use its own, once its certificate is there too.
    await rm(staged, { force: true });
    for (let i = 0; i < 50; i++) {
      const theirs = await readPair(files);
      if (theirs) return { ...theirs, created: false };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${files.key} exists without ${files.cert}: remove both to make a new authority (every tablet then has to trust it again)`);
  }
  await rm(staged, { force: true });
  await writeAtomically(files.cert, made.cert, 0o644);
  return { key: made.key, cert: made.cert, created: true };
}

/**
 * A new authority: ten years, RSA 2048, SHA-256; it signs server certificates only (path length 0) and only for the
 * store's own names and networks (Name Constraints, critical: constraints.ts). Made with @peculiar/x509, which
 * writes that extension.
 */
async function makeAuthority(names: HostNames): Promise<KeyPair> {
  const keys = (await webcrypto.subtle.generateKey(RSA_SHA256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const constraints = nameConstraintsExtension(permittedFor(names));
  // A name of its own per store: a tablet moved between two stores trusts two authorities, never confuses them.
  const commonName = `MyInventory autoridade local ${os.hostname().replace(/[,+=<>#;"\\]/g, '-')} ${new Date().toISOString().slice(0, 10)} ${randomBytes(3).toString('hex')}`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    name: `CN=${commonName}, O=MyInventory`,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + AUTHORITY_DAYS * DAY_MS),
    keys,
    signingAlgorithm: RSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      new x509.Extension(constraints.oid, true, constraints.value),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return { cert: `${cert.toString('pem').trim()}\n`, key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/.{64}/g, '$&\n').trim()}\n-----END PRIVATE KEY-----\n` };
}

/** The authority as kept, for the renewal while running: never made anew there (no tablet would trust a new one). */
export async function readAuthority(dir: string): Promise<KeyPair> {
  const pair = await readPair(authorityFiles(dir));
  if (!pair) throw new Error(`the local certificate authority is missing from ${dir}: restore ca.pem and ca-key.pem, or restart to make a new one (every tablet then trusts it again)`);
  return pair;
}

/** Why the server certificate must be (re)issued, or null while it serves. */
export function reissueReason(current: KeyPair | null, authority: KeyPair, names: HostNames, now = new Date()): string | null {
  if (!current) return 'none yet';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(current.cert);
    const ownKey = createPublicKey(createPrivateKey(current.key)).export({ type: 'spki', format: 'der' });
    if (!ownKey.equals(cert.publicKey.export({ type: 'spki', format: 'der' }))) return 'key and certificate do not match';
  } catch (error) {
    return `unreadable (${error instanceof Error ? error.message : String(error)})`;
  }
  const ca = new X509Certificate(authority.cert);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'signed by another authority';
  // Issued before certificates carried the authority's key identifier (strict verifiers refuse them).
  try {
    if (!new x509.X509Certificate(current.cert).getExtension(x509.AuthorityKeyIdentifierExtension)) return 'no authority key identifier';
  } catch (error) {
    return `unreadable: ${(error as Error).message}`;
  }
  // Made while this machine's clock ran ahead: not valid yet for anybody else.
  if (new Date(cert.validFrom).getTime() > now.getTime()) return `not valid before ${new Date(cert.validFrom).toISOString()}`;
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return `expires ${new Date(cert.validTo).toISOString()}`;
  const missing = missingNames(certificateNames(cert), names);
  return missing.length > 0 ? `new names: ${missing.join(', ')}` : null;
}

/**
 * The server's certificate and key: the ones kept under `dir` while they cover `names` and are not near their end,
 * else a new pair signed by the authority (written before it is returned).
 */
export async function ensureServerCertificate(
  dir: string,
  authority: KeyPair,
  wanted: HostNames,
  now = new Date(),
): Promise<KeyPair & { reissued: string | null; refused: string[] }> {
  const file = serverFile(dir);
  const current = await readServerPair(file);
  // Only what the authority may sign: one name outside its constraints would make every device refuse the certificate.
  const { names, refused } = signable(permittedBy(authority.cert), wanted);
  const reason = reissueReason(current, authority, names, now);
  if (!reason && current) {
    await keepPrivate(file);
    return { ...current, reissued: null, refused };
  }
  const pair = await issueServerCertificate(authority, names, now);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomically(file, pair.cert + pair.key, 0o600);
  return { ...pair, reissued: reason, refused };
}

/**
 * A server certificate signed by the authority: RSA 2048, SHA-256, for `names`, with its own key identifier and the
 * authority's (AKI = the authority's SKI): strict verifiers (OpenSSL's X509_STRICT, Python 3.13's default context)
 * refuse a CA-issued certificate without the authority's key identifier.
 */
async function issueServerCertificate(authority: KeyPair, names: HostNames, now: Date): Promise<KeyPair> {
  const issuer = new x509.X509Certificate(authority.cert);
  const issuerKeyId = issuer.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const signingKey = await webcrypto.subtle.importKey('pkcs8', createPrivateKey(authority.key).export({ type: 'pkcs8', format: 'der' }), RSA_SHA256, false, ['sign']);
  const keys = (await webcrypto.subtle.generateKey(RSA_SHA256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const commonName = names.dns.find((n) => n !== 'localhost') ?? 'localhost';
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    subject: `CN=${commonName.replace(/[,+=<>#;"\\]/g, '-')}`,
    // The authority's own encoded name, so the issuer matches its subject byte for byte.
    issuer: issuer.subjectName,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + SERVER_DAYS * DAY_MS),
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: RSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([...names.dns.map((value) => ({ type: 'dns' as const, value })), ...names.ips.map((value) => ({ type: 'ip' as const, value }))], false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      issuerKeyId ? new x509.AuthorityKeyIdentifierExtension(issuerKeyId) : await x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return { cert: `${cert.toString('pem').trim()}\n`, key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/.{64}/g, '$&\n').trim()}\n-----END PRIVATE KEY-----\n` };
}

/** The names a certificate covers, read from its Subject Alternative Name extension. */
export function certificateNames(cert: X509Certificate): HostNames {
  const entries = (cert.subjectAltName ?? '').split(', ').filter(Boolean);
  const dns = entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4).toLowerCase());
  const ips = entries.filter((e) => e.startsWith('IP Address:')).map((e) => e.slice('IP Address:'.length).toLowerCase().replace(/(^|:)0+(?=[0-9a-f])/g, '$1'));
  return { dns, ips };
}

/** The server's pair from its one file; null when there is none (a file without both reads as one to replace). */
export async function readServerPair(file: string): Promise<KeyPair | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return { cert: PEM_CERTIFICATE.exec(text)?.[0] ?? '', key: PEM_KEY.exec(text)?.[0] ?? '' };
}

async function readPair(files: { key: string; cert: string }): Promise<KeyPair | null> {
  try {
    const [key, cert] = await Promise.all([readFile(files.key, 'utf8'), readFile(files.cert, 'utf8')]);
    return { key, cert };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A key file somebody else could read (copied in, restored from a backup) is made the server user's alone again. */
async function keepPrivate(file: string) {
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
}

async function writeAtomically(file: string, content: string, mode: number) {
  const staged = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(staged, content, { mode });
  await rename(staged, file);
}
