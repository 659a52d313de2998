'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import type { Role } from '~/lib/trpc/react';
import { roleLabels } from './roles';
import { useSession } from './session';
import styles from './role-gate.module.css';

/** Renders its children only for the roles given; anyone else sees "Acesso negado" and no request is made. */
export function RoleGate({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  const { user } = useSession();
  if (roles.includes(user.role)) return <>{children}</>;
  return (
    <AccessDenied>
      Seu papel (<strong>{roleLabels[user.role]}</strong>) não permite abrir esta página. Se precisar dela, peça acesso a um administrador.
    </AccessDenied>
  );
}

/** "Acesso negado", why, and the way back home. */
export function AccessDenied({ children }: { children: ReactNode }) {
  return (
    <section className={styles.accessDenied} aria-labelledby="access-denied-title">
      <h1 id="access-denied-title">Acesso negado</h1>
      <p>{children}</p>
      <p>
        <Link href="/" className="btn btn-secondary">
          Voltar ao início
        </Link>
      </p>
    </section>
  );
}
