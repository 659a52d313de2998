import type { Metadata } from 'next';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';
import { InventoryHome } from '~/components/inventory/inventory-home';

const item = findNavItem('/inventory');

export const metadata: Metadata = { title: item.label };

export default function InventoryPage() {
  return (
    <RoleGate roles={item.roles}>
      
      <InventoryHome />
    </RoleGate>
  );
}
