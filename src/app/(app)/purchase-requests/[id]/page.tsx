import type { Metadata } from 'next';
import { RequestDetail } from '~/components/purchase-requests/request-detail';
import { RoleGate } from '~/components/role-gate';

export const metadata: Metadata = { title: 'Solicitação de compra' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ created?: string | string[] }> };

/** Buyers open a request from a notification too: they see it read-only and decide in Aprovações. */
export default async function PurchaseRequestPage({ params, searchParams }: Props) {
  const { id } = await params;
  const { created } = await searchParams;
  return (
    <RoleGate roles={['clerk', 'buyer', 'manager', 'admin']}>
      <RequestDetail key={id} id={id} created={typeof created === 'string' ? created : undefined} />
    </RoleGate>
  );
}
