import type { Metadata } from 'next';
import { EventsAdmin } from '~/components/admin/events-admin';

export const metadata: Metadata = { title: 'Eventos' };

export default function AdminEventsPage() {
  return <EventsAdmin />;
}
