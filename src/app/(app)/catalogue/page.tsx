import type { Metadata } from 'next';
import { Catalogue } from '~/components/catalogue/catalogue';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';

const item = findNavItem('/catalogue');

export const metadata: Metadata = { title: item.label };

export default function CataloguePage() {
  return (
    <RoleGate roles={item.roles}>
      <Catalogue />
    </RoleGate>
  );
}
