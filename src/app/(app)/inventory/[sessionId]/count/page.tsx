import type { Metadata } from 'next';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';
import { CountingScreen } from '~/components/inventory/counting-screen';

const item = findNavItem('/inventory');

export const metadata: Metadata = { title: 'Contagem' };

export default async function CountPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  return (
    <RoleGate roles={item.roles}>
      
      <CountingScreen sessionId={sessionId} />
    </RoleGate>
  );
}
