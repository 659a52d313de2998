'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { errorCode } from '~/lib/trpc/errors';
import { api } from '~/lib/trpc/react';
import { AccessDenied } from '../role-gate';
import { ErrorAlert, Loading } from '../ui/feedback';
import { OperatorSessionProvider } from './operator-session';

/** The platform operator's pages. Not an organization's area: no org, stores, notifications or roles here. */
export const operatorSections = [
  { href: '/operator', label: 'Filas' },
  { href: '/operator/dead-letters', label: 'Tarefas com erro do sistema' },
  { href: '/operator/system', label: 'Processo' },
] as const;

export const OPERATOR_LABEL = 'Operador da plataforma';

/** The operator's signed-in frame: who, where to go, the way out. An org's member gets "Acesso negado" and no data. */
export function OperatorShell({ children }: { children: ReactNode }) {
  const me = api.operator.me.useQuery(undefined, { staleTime: 5 * 60_000 });
  const pathname = usePathname();
  const logout = api.auth.logout.useMutation({
    onSettled: (_data, error) => {
      if (error && errorCode(error) !== 'UNAUTHORIZED') return;
      // A full load drops every cached answer along with the page.
      window.location.replace('/login');
    },
  });

  if (me.isPending) {
    return (
      <main className="center-screen">
        <Loading label="Carregando sua sessão…" />
      </main>
    );
  }
  if (me.isError && !me.data) {
    // UNAUTHORIZED is already on its way to /login (see providers.tsx).
    const code = errorCode(me.error);
    return (
      <main className="center-screen">
        {code === 'UNAUTHORIZED' ? (
          <Loading label="Sessão encerrada. Redirecionando para o login…" />
        ) : code === 'FORBIDDEN' ? (
          <AccessDenied>Esta área é do operador da plataforma, que não pertence a nenhuma rede. Sua conta é de uma rede: use as páginas dela.</AccessDenied>
        ) : (
          <ErrorAlert error={me.error} title="Não foi possível carregar sua sessão" onRetry={() => void me.refetch()} />
        )}
      </main>
    );
  }

  return (
    <OperatorSessionProvider value={me.data}>
      <a href="#main" className="skip-link">
        Pular para o conteúdo
      </a>
      <div className="app">
        <header className="app-header">
          <Link href="/operator" className="brand">
            MyInventory
          </Link>
          <div className="user-box">
            <div className="user-info">
              <span className="user-name">{me.data.name}</span>
              <span className="user-meta">{OPERATOR_LABEL} · todas as redes</span>
            </div>
            <button type="button" className="btn btn-secondary" disabled={logout.isPending || logout.isSuccess} onClick={() => logout.mutate()}>
              {logout.isPending || logout.isSuccess ? 'Saindo…' : 'Sair'}
            </button>
          </div>
        </header>
        {logout.isError ? (
          <div className="app-banner">
            <ErrorAlert error={logout.error} title="Não foi possível sair" />
          </div>
        ) : null}
        <nav className="app-nav" aria-label="Principal">
          <ul>
            {operatorSections.map((section) => (
              <li key={section.href}>
                <Link href={section.href} className="nav-link" aria-current={pathname === section.href ? 'page' : undefined}>
                  {section.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="app-main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </OperatorSessionProvider>
  );
}
