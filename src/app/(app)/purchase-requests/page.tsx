import type { Metadata } from 'next';
import { findNavItem } from '~/components/nav';
import { RequestList } from '~/components/purchase-requests/request-list';
import { RoleGate } from '~/components/role-gate';

const item = findNavItem('/purchase-requests');

export const metadata: Metadata = { title: item.label };

export default function PurchaseRequestsPage() {
  return (
    <RoleGate roles={item.roles}>
      <RequestList />
    </RoleGate>
  );
}
