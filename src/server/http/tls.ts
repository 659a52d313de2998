import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Env } from '~/env';
import type { Logger } from '../logger';
import type { TlsOptions } from './server';

/**
 * HTTPS for LAN trials: tablets need a secure context for the service worker and the camera.
 * A given certificate and key win; HTTPS_SELF_SIGNED makes one on first start and keeps it under DATA_DIR.
 */
export async function loadTls(env: Env, logger: Logger): Promise<TlsOptions | undefined> {
  if (env.HTTPS_CERT_FILE && env.HTTPS_KEY_FILE) {
    return { cert: await readFile(env.HTTPS_CERT_FILE), key: await readFile(env.HTTPS_KEY_FILE) };
  }
  if (!env.HTTPS_SELF_SIGNED) return undefined;
  const dir = path.resolve(env.DATA_DIR, 'tls');
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const { generate } = await import('selfsigned');
    const addresses = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal)
      .map((a) => a!.address);
    const pems = await generate([{ name: 'commonName', value: os.hostname() }], {
      keySize: 2048,
      notAfterDate: new Date(Date.now() + 825 * 86_400_000),
      algorithm: 'sha256',
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2 as const, value: 'localhost' },
            { type: 2 as const, value: os.hostname() },
            { type: 7 as const, ip: '127.0.0.1' },
            ...addresses.map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    });
    await mkdir(dir, { recursive: true });
    await writeFile(certFile, pems.cert);
    await writeFile(keyFile, pems.private, { mode: 0o600 });
    logger.info({ certFile }, 'generated a self-signed certificate; tablets must accept it once');
  }
  return { cert: await readFile(certFile), key: await readFile(keyFile) };
}
