import type { Metadata } from 'next';
import { Suspense } from 'react';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';
import { Receiving } from '~/components/receiving/receiving';

const item = findNavItem('/receiving');

export const metadata: Metadata = { title: item.label };

/** One page (the delivery is in its query string), so the service worker's copy opens any delivery offline. */
export default function ReceivingPage() {
  return (
    <RoleGate roles={item.roles}>
      
      <Suspense>
        <Receiving />
      </Suspense>
    </RoleGate>
  );
}
