import type { Metadata } from 'next';
import { Dashboard } from '~/components/dashboard/dashboard';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';

const item = findNavItem('/dashboard');

export const metadata: Metadata = { title: item.label };

export default function DashboardPage() {
  return (
    <RoleGate roles={item.roles}>
      <Dashboard />
    </RoleGate>
  );
}
