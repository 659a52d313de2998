import type { Metadata } from 'next';
import { findNavItem } from '~/components/nav';
import { RequestEditor } from '~/components/purchase-requests/request-editor';
import { RoleGate } from '~/components/role-gate';

const item = findNavItem('/purchase-requests');

export const metadata: Metadata = { title: 'Nova solicitação de compra' };

export default function NewPurchaseRequestPage() {
  return (
    <RoleGate roles={item.roles}>
      <RequestEditor />
    </RoleGate>
  );
}
