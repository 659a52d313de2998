import type { ReactNode } from 'react';
import { OperatorShell } from '~/components/operator/operator-shell';

/** The platform operator's area: outside (app), whose frame belongs to an organization's members. */
export default function OperatorLayout({ children }: { children: ReactNode }) {
  return <OperatorShell>{children}</OperatorShell>;
}
