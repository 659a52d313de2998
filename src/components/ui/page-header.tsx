import type { ReactNode } from 'react';

/**
 * A page's title, its description and actions. `term` is the technical name of what the page shows, for the
 * people who know it by that name ("dead-letter queue"): a quiet line under the title, never a tooltip.
 */
export function PageHeader({ title, term, description, actions }: { title: string; term?: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {term ? <p className="term">{term}</p> : null}
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
