import { readFile } from 'node:fs/promises';
import type { Env } from '~/env';
import type { Logger } from '../logger';
import { ensureAuthority, ensureServerCertificate, readAuthority, tlsDir, type KeyPair } from './local-ca';
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
  return localCertificate(env, logger, { makeAuthority: true });
}

async function localCertificate(env: Env, logger: Logger, opts: { makeAuthority: boolean }): Promise<TlsOptions & { reissued: string | null }> {
  const dir = tlsDir(env.DATA_DIR);
  let authority: KeyPair;
  const names = machineNames(env.HTTPS_HOSTNAMES);
  if (opts.makeAuthority) {
    const made = await ensureAuthority(dir, names);
    if (made.created) logger.info({ dir }, 'local certificate authority created: tablets trust it once, from the /instalar page');
    authority = made;
  } else {
    authority = await readAuthority(dir);
  }
  const server = await ensureServerCertificate(dir, authority, names);
  if (server.reissued) {
    logger.info({ reason: server.reissued, names }, 'server certificate issued by the local authority');
    if (server.refused.length > 0) {
      logger.warn({ refused: server.refused }, 'names outside what the local authority may sign were left out of the certificate (it signs only the names and networks it was made for: README "HTTPS in the store")');
    }
  }
  return server;
}

/**
 * Keeps the local authority's server certificate current while the server runs: every `intervalMs` it checks the
 * machine's names and the certificate's end, issues a new one when needed, and hands `apply` whatever is on disk
 * and differs from what the server serves (its own new one, or another instance's), which the server swaps in for
 * new connections, no restart. It never makes a new authority (only a start does). A failed check is logged and
 * tried again at the next.
 */
export function startCertificateRenewal(env: Env, logger: Logger, served: TlsOptions | undefined, apply: (tls: TlsOptions) => void, intervalMs = 60_000) {
  if (tlsMode(env) !== 'local-ca' || !served) return { stop() {}, check: async () => {} };
  let current = String(served.cert);
  let running: Promise<void> | null = null;
  const check = () =>
    (running ??= localCertificate(env, logger, { makeAuthority: false })
      .then((tls) => {
        if (String(tls.cert) === current) return;
        apply(tls);
        current = String(tls.cert);
        logger.info('the server now serves its new certificate');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'server certificate renewal failed; the current one still serves'))
      .finally(() => (running = null)));
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), check };
}
