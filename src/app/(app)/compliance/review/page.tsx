import type { Metadata } from 'next';
import { ReviewQueue } from '~/components/compliance/review-queue';
import { RoleGate } from '~/components/role-gate';

export const metadata: Metadata = { title: 'Revisão de conformidade' };

export default function ComplianceReviewPage() {
  return (
    <RoleGate roles={['manager', 'admin']}>
      <ReviewQueue />
    </RoleGate>
  );
}
