import type { ReactNode } from 'react';
import figures from './figures.module.css';

/** A titled section of labelled figures (a `<dl>`): the system and process pages. */
export function FigureSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id} className="section-title">
        {title}
      </h2>
      <dl className={figures.figureList}>{children}</dl>
    </section>
  );
}

export function Figure({ label, alert, children }: { label: string; alert?: boolean; children: ReactNode }) {
  return (
    <div className={alert ? figures.figureAlert : undefined}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
