import type { Metadata } from 'next';
import { UsersAdmin } from '~/components/admin/users-admin';

export const metadata: Metadata = { title: 'Usuários' };

export default function AdminUsersPage() {
  return <UsersAdmin />;
}
