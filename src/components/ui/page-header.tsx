import type { ReactNode } from 'react';

/** `className`: e.g. `no-print` on a page whose paper has a head of its own (PrintHeader). */
export function PageHeader({ title, description, actions, className }: { title: string; description?: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <div className={className ? `page-header ${className}` : 'page-header'}>
      <div>
        <h1>{title}</h1>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
