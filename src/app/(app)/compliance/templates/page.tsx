import type { Metadata } from 'next';
import { TemplatesScreen } from '~/components/compliance/templates-screen';
import { RoleGate } from '~/components/role-gate';

export const metadata: Metadata = { title: 'Modelos de tarefa' };

export default function ComplianceTemplatesPage() {
  return (
    <RoleGate roles={['manager', 'admin']}>
      <TemplatesScreen />
    </RoleGate>
  );
}
