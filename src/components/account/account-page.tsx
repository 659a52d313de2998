'use client';

import { roleLabels } from '../roles';
import { useSession } from '../session';
import { PageHeader } from '../ui/page-header';
import { ChangePasswordForm } from './change-password-form';

/** Who you are, and your password. */
export function AccountPage() {
  const { user, organization } = useSession();
  return (
    <section>
      <PageHeader title="Minha conta" description={`${user.name} · ${user.email} · ${roleLabels[user.role]} em ${organization.name}`} />
      <h2 className="section-title">Trocar senha</h2>
      <ChangePasswordForm temporary={user.passwordTemporary} />
    </section>
  );
}
