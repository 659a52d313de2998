'use client';

import { api, type RouterOutputs } from '~/lib/trpc/react';
import { Figure } from '../ui/figure-list';
import figures from '../ui/figures.module.css';
import { formatDate } from '../ui/format';
import styles from './admin.module.css';

type LocalHttps = NonNullable<RouterOutputs['admin']['system']['localHttps']>;

/** A certificate ending within this many days is flagged: the server renews its own, but not the authority. */
const SOON_DAYS = 30;
const endsSoon = (date: Date) => date.getTime() - Date.now() < SOON_DAYS * 86_400_000;

/**
 * The store's own HTTPS (server started with HTTPS_LOCAL_CA): the QR codes a tablet scans (first the install page,
 * then the secure address), the authority's fingerprint to compare on the tablet, and when the certificates end.
 * Nothing shows behind a real domain.
 */
export function LocalHttpsSection() {
  const local = api.admin.system.localHttps.useQuery(undefined, { staleTime: 60_000 });
  if (!local.data) return null;
  return <LocalHttpsFigures local={local.data} />;
}

function LocalHttpsFigures({ local }: { local: LocalHttps }) {
  return (
    <section aria-labelledby="system-local-https">
      <h2 id="system-local-https" className="section-title">
        Certificado da loja (HTTPS local)
      </h2>
      <dl className={figures.figureList}>
        <Figure label="Autoridade da loja">{local.authority.subject}</Figure>
        <Figure label="Impressão digital (SHA-256)">
          <span className={styles.tokenValue} data-testid="ca-fingerprint">
            {local.authority.fingerprint}
          </span>
        </Figure>
        <Figure label="Autoridade válida até" alert={endsSoon(local.authority.expiresAt)}>
          {formatDate(local.authority.expiresAt)}
        </Figure>
        <Figure label="Certificado do servidor válido até" alert={endsSoon(local.server.expiresAt)}>
          {formatDate(local.server.expiresAt)} (renovado sozinho antes de vencer)
        </Figure>
        <Figure label="Endereços cobertos">{local.server.names.join(', ')}</Figure>
      </dl>
      {local.qr ? (
        <div className={styles.qrCodes}>
          <QrFigure image={local.qr.install} url={local.qr.installUrl} what="da página de instalação" title="1. Instalar o certificado" note="(uma vez por tablet)" />
          <QrFigure image={local.qr.app} url={local.qr.appUrl} what="do endereço seguro" title="2. Abrir o MyInventory" note="(endereço seguro)" />
        </div>
      ) : null}
      {local.addresses.length > 1 ? (
        <p className="muted">
          Outros endereços deste servidor:{' '}
          {local.addresses
            .slice(1)
            .map((a) => a.appUrl)
            .join(', ')}
        </p>
      ) : null}
    </section>
  );
}

/** One QR code a tablet scans, with the address it opens written under it. */
function QrFigure({ image, url, what, title, note }: { image: string; url: string; what: string; title: string; note: string }) {
  return (
    <figure>
      <img src={image} alt={`QR code ${what} ${url}`} width={200} height={200} />
      <figcaption>
        <strong>{title}</strong> {note}
        <br />
        <a href={url}>{url}</a>
      </figcaption>
    </figure>
  );
}
