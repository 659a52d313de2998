import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type TestServiceAccount = {
  /** The key file, as GOOGLE_APPLICATION_CREDENTIALS names it. */
  path: string;
  clientEmail: string;
  keyId: string;
  /** What a stand-in verifies the account's self-signed JWTs with. */
  publicKey: KeyObject;
  remove(): void;
};

/**
 * A Google service account's JSON key, made for one test: a fresh RSA key pair (never a key kept in the repository),
 * in Google's key-file format, under a temporary directory readable by its owner only.
 */
export function writeServiceAccountKey(opts: { projectId?: string; name?: string } = {}): TestServiceAccount {
  const projectId = opts.projectId ?? 'myinventory-test';
  const clientEmail = `${opts.name ?? 'vision-test'}@${projectId}.iam.gserviceaccount.com`;
  const keyId = randomBytes(20).toString('hex');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'service-account-'));
  const file = path.join(dir, 'key.json');
  const key = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: keyId,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: clientEmail,
    client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
  };
  writeFileSync(file, JSON.stringify(key, null, 2), { mode: 0o600 });
  return { path: file, clientEmail, keyId, publicKey, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
