import type { Metadata } from 'next';
import { ApprovalsInbox } from '~/components/approvals/approvals-inbox';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';

const item = findNavItem('/approvals');

export const metadata: Metadata = { title: item.label };

export default function ApprovalsPage() {
  return (
    <RoleGate roles={item.roles}>
      <ApprovalsInbox />
    </RoleGate>
  );
}
