import type { Metadata } from 'next';
import { findNavItem } from '~/components/nav';
import { PhotoReview } from '~/components/photos/photo-review';
import { RoleGate } from '~/components/role-gate';

const item = findNavItem('/photos');

export const metadata: Metadata = { title: item.label };

export default function PhotosPage() {
  return (
    <RoleGate roles={item.roles}>
      <PhotoReview />
    </RoleGate>
  );
}
