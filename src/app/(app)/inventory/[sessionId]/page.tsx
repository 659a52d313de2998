import type { Metadata } from 'next';
import { RoleGate } from '~/components/role-gate';
import { SessionManager } from '~/components/inventory/session-manager';

export const metadata: Metadata = { title: 'Acompanhar inventário' };

export default async function InventorySessionPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  return (
    <RoleGate roles={['manager', 'admin']}>
      <SessionManager sessionId={sessionId} />
    </RoleGate>
  );
}
