import type { ReactNode } from 'react';
import { AdminNav } from '~/components/admin/admin-nav';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';

const item = findNavItem('/admin');

export default function AdminLayout({ children }: { children: ReactNode }) {
  return (
    <RoleGate roles={item.roles}>
      <AdminNav />
      {children}
    </RoleGate>
  );
}
