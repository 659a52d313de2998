import type { ReactNode } from 'react';

/**
 * A page's title, its description and actions. `term` is the technical name of what the page shows, for the
 * people who know it by that name ("dead-letter queue"): a quiet line under the title, never a tooltip.
 * `className`: e.g. `no-print` on a page whose paper has a head of its own (PrintHeader).
 */
export function PageHeader({ title, term, description, actions, className }: { title: string; term?: string; description?: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <div className={className ? `page-header ${className}` : 'page-header'}>
      <div>
        <h1>{title}</h1>
        {term ? <p className="term">{term}</p> : null}
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
