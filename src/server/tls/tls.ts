import { readFile } from 'node:fs/promises';
import type { Env } from '~/env';
import type { Logger } from '../logger';
import { ensureAuthority, ensureServerCertificate, tlsDir } from './local-ca';
import { machineNames } from './names';

export type TlsOptions = { cert: string | Buffer; key: string | Buffer };

/**
 * How this server speaks HTTPS: with a given certificate (a real domain), with the store's local authority, or not at
 * all (plain HTTP, or TLS ended by a proxy in front).
 */
export type TlsMode = 'certificate' | 'local-ca' | 'off';

export function tlsMode(env: Env): TlsMode {
  if (env.HTTPS_CERT_FILE && env.HTTPS_KEY_FILE) return 'certificate';
  return env.HTTPS_LOCAL_CA || env.HTTPS_SELF_SIGNED ? 'local-ca' : 'off';
}

/** The certificate and key the server starts with (undefined: plain HTTP). */
export async function loadTls(env: Env, logger: Logger): Promise<TlsOptions | undefined> {
  const mode = tlsMode(env);
  if (mode === 'certificate') return { cert: await readFile(env.HTTPS_CERT_FILE!), key: await readFile(env.HTTPS_KEY_FILE!) };
  if (mode === 'off') return undefined;
  return localCertificate(env, logger);
}

async function localCertificate(env: Env, logger: Logger): Promise<TlsOptions & { reissued: string | null }> {
  const dir = tlsDir(env.DATA_DIR);
  const authority = await ensureAuthority(dir);
  if (authority.created) logger.info({ dir }, 'local certificate authority created: tablets trust it once, from the /instalar page');
  const names = machineNames(env.HTTPS_HOSTNAMES);
  const server = await ensureServerCertificate(dir, authority, names);
  if (server.reissued) logger.info({ reason: server.reissued, names }, 'server certificate issued by the local authority');
  return server;
}

/**
 * Keeps the local authority's server certificate current while the server runs: every `intervalMs` it checks the
 * machine's names and the certificate's end, and hands a new one to `apply` (the server swaps it in for new
 * connections, no restart). A failed check is logged and tried again at the next.
 */
export function startCertificateRenewal(env: Env, logger: Logger, apply: (tls: TlsOptions) => void, intervalMs = 60_000) {
  if (tlsMode(env) !== 'local-ca') return { stop() {} };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    localCertificate(env, logger)
      .then((tls) => {
        if (tls.reissued) apply(tls);
      })
      .catch((error: unknown) => logger.error({ err: error }, 'server certificate renewal failed; the current one still serves'))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
