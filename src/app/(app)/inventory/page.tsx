import type { Metadata } from 'next';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';
import { InventoryHome } from '~/components/inventory/inventory-home';
import { RegisterServiceWorker } from '~/components/inventory/register-sw';

const item = findNavItem('/inventory');

export const metadata: Metadata = { title: item.label };

export default function InventoryPage() {
  return (
    <RoleGate roles={item.roles}>
      <RegisterServiceWorker />
      <InventoryHome />
    </RoleGate>
  );
}
