'use client';

import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import { useSession } from '../session';
import { formatDateTime } from '../ui/format';
import styles from './print.module.css';

export type PrintFact = { label: string; value: string };

/**
 * The head of a printed page, on paper only: the organization, the document and its number, its facts (store,
 * dates, who), and who printed it when. On screen the page header already says all this.
 */
export function PrintHeader({ title, facts }: { title: string; facts: PrintFact[] }) {
  const { user, organization } = useSession();
  const [printedAt, setPrintedAt] = useState(() => new Date());
  useEffect(() => {
    // The time of the print itself, not of the page's load (flushSync: the print is laid out right after this event).
    const stamp = () => flushSync(() => setPrintedAt(new Date()));
    window.addEventListener('beforeprint', stamp);
    return () => window.removeEventListener('beforeprint', stamp);
  }, []);
  return (
    <header className={`print-only ${styles.header}`} data-testid="print-header">
      <p className={styles.org}>{organization.name}</p>
      <p className={styles.title}>{title}</p>
      <dl className={styles.facts}>
        {facts.map((fact) => (
          <div key={fact.label}>
            <dt>{fact.label}</dt>
            <dd>{fact.value}</dd>
          </div>
        ))}
        <div>
          <dt>Impresso por</dt>
          <dd>
            {user.name} em {formatDateTime(printedAt)}
          </dd>
        </div>
      </dl>
    </header>
  );
}
