'use client';

import { useEffect, useState } from 'react';
import { ErrorAlert } from '../ui/feedback';

type PrintButtonProps = {
  /** True when everything the paper must hold is on the page (every line loaded). */
  ready: boolean;
  /** Brings the rest onto the page (the next pages of a paged list); the print starts once `ready` turns true. */
  loadRest?: () => Promise<void>;
  /** What is loading, while it loads ("Carregando as linhas para imprimir…"). */
  loadingLabel?: string;
  /** While the page's own data is not there yet. */
  disabled?: boolean;
};

/**
 * "Imprimir": the browser's print of this page, whose print styles leave the app's frame out. A page that shows a
 * paged list first loads the rest of it, so the paper holds every line, not only those scrolled to.
 */
export function PrintButton({ ready, loadRest, loadingLabel = 'Preparando a impressão…', disabled }: PrintButtonProps) {
  const [waiting, setWaiting] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  // Runs after the render that put the last lines in the page: the print sees them.
  useEffect(() => {
    if (!waiting || !ready) return;
    setWaiting(false);
    window.print();
  }, [waiting, ready]);

  const print = () => {
    setError(null);
    if (ready || !loadRest) {
      window.print();
      return;
    }
    setWaiting(true);
    loadRest().catch((e: unknown) => {
      setWaiting(false);
      setError(e instanceof Error ? e : new Error(String(e)));
    });
  };

  return (
    <>
      <button type="button" className="btn btn-secondary" onClick={print} disabled={waiting || disabled}>
        {waiting ? loadingLabel : 'Imprimir'}
      </button>
      {error ? (
        <div className="no-print">
          <ErrorAlert error={error} title="Não foi possível preparar a impressão" />
        </div>
      ) : null}
    </>
  );
}
