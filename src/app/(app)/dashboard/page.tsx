import type { Metadata } from 'next';
import { ComingSoon } from '~/components/coming-soon';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';

const item = findNavItem('/dashboard');

export const metadata: Metadata = { title: item.label };

export default function DashboardPage() {
  return (
    <RoleGate roles={item.roles}>
      <ComingSoon item={item} />
    </RoleGate>
  );
}
