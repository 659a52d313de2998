import type { Metadata } from 'next';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';
import { Stock } from '~/components/stock/stock';

const item = findNavItem('/stock');

export const metadata: Metadata = { title: item.label };

export default function StockPage() {
  return (
    <RoleGate roles={item.roles}>
      <Stock />
    </RoleGate>
  );
}
