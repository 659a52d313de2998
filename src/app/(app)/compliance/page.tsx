import type { Metadata } from 'next';
import { ComplianceHome } from '~/components/compliance/compliance-home';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';

const item = findNavItem('/compliance');

export const metadata: Metadata = { title: item.label };

export default function CompliancePage() {
  return (
    <RoleGate roles={item.roles}>
      
      <ComplianceHome />
    </RoleGate>
  );
}
