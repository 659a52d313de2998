'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import superjson from 'superjson';
import { errorCode, errorReason } from '~/lib/trpc/errors';
import { api, type Me } from '~/lib/trpc/react';
import { loginUrl, worksWithoutLogin } from '~/lib/trpc/redirect';
import { ErrorAlert, Loading } from '../ui/feedback';
import { isActivePath, navItemsFor } from '../nav';
import { NotificationsBell } from '../notifications-bell';
import { PushProvider, usePush } from '../push/push-provider';
import { roleLabels } from '../roles';
import { API_CACHE } from '~/sw/routes';
import { forgetLastSeen } from '../compliance/use-last-seen';
import { SessionProvider } from '../session';
import { ChangePasswordForm } from '../account/change-password-form';
import { RegisterServiceWorker } from '../inventory/register-sw';
import { forgetPersistedQueries, persistedUserId, setPersistedUser } from '~/offline/query-persister';
import { resendAfterSignIn } from '~/lib/trpc/offline-changes';
import { OfflineBanner, PendingChanges, useUnsentChangeCount } from './offline-status';
import styles from './shell.module.css';

const LAST_USER_KEY = 'myinventory:last-user';

/**
 * The kept offline cache belongs to whoever the server says is signed in. Read from the server (not from the kept
 * copy) as someone else than the cache's owner (a session from before the kept cache, or changed behind the
 * app's back), the page loads again with that person's own cache.
 */
function useCacheOwner(me: Me | undefined, fresh: boolean) {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!me || !fresh) return;
    const owner = persistedUserId();
    if (owner === null || owner === me.user.id) {
      if (owner === null) setPersistedUser(me.user.id);
      // Confirmed by the server: the changes that waited here are this person's, and leave with their session.
      resendAfterSignIn(queryClient);
      void queryClient.resumePausedMutations();
      return;
    }
    setPersistedUser(me.user.id);
    window.location.reload();
  }, [me, fresh, queryClient]);
}

/**
 * Who was signed in on this device last, for a page that works on without a login (counting) opened after the
 * login expired: the scans it takes stay queued under that user until they sign in again. Forgotten on sign-out.
 */
function useLastUser(me: Me | undefined, pathname: string): Me | null {
  const [last, setLast] = useState<Me | null>(null);
  useEffect(() => {
    if (me) localStorage.setItem(LAST_USER_KEY, superjson.stringify(me));
  }, [me]);
  useEffect(() => {
    if (!worksWithoutLogin(pathname)) return;
    const raw = localStorage.getItem(LAST_USER_KEY);
    try {
      setLast(raw ? superjson.parse<Me>(raw) : null);
    } catch {
      localStorage.removeItem(LAST_USER_KEY);
    }
  }, [pathname]);
  return last;
}

/** The signed-in frame: who you are, where you can go, and the way out. */
export function AppShell({ children }: { children: ReactNode }) {
  const me = api.auth.me.useQuery(undefined, { staleTime: 5 * 60_000 });
  const pathname = usePathname();
  const lastUser = useLastUser(me.data, pathname);
  useCacheOwner(me.data, me.isFetchedAfterMount && !me.isError);
  const logout = api.auth.logout.useMutation({
    onSettled: (_data, error) => {
      if (error && errorCode(error) !== 'UNAUTHORIZED') return;
      localStorage.removeItem(LAST_USER_KEY);
      forgetLastSeen();
      const forgotten = forgetPersistedQueries();
      // The service worker's copies of this user's answers (counting and compliance offline) go too, before the
      // full load that drops every cached answer of this user along with the page.
      const cleared = 'caches' in window ? caches.delete(API_CACHE).catch(() => false) : Promise.resolve(false);
      void Promise.allSettled([cleared, forgotten]).finally(() => window.location.replace('/login'));
    },
  });
  const unauthorized = me.isError && !me.data && errorCode(me.error) === 'UNAUTHORIZED';
  // The platform operator belongs to no organization: its pages are elsewhere.
  const operator = me.isError && !me.data && errorReason(me.error) === 'operator_outside_orgs';
  useEffect(() => {
    if (operator) window.location.replace('/operator');
  }, [operator]);
  const stayAs = unauthorized && worksWithoutLogin(pathname) ? lastUser : null;
  useEffect(() => {
    // A page that works without a login, but nobody was signed in here before: it needs a login after all.
    if (unauthorized && worksWithoutLogin(pathname) && localStorage.getItem(LAST_USER_KEY) === null) window.location.replace(loginUrl(pathname));
  }, [unauthorized, pathname]);

  if (me.isPending || operator) {
    return (
      <main className="center-screen">
        <Loading label={operator ? 'Abrindo a área do operador da plataforma…' : 'Carregando sua sessão…'} />
      </main>
    );
  }
  // A failed refetch keeps the data it had: the page stays (a counting screen handles an expired login itself).
  if (me.isError && !me.data && !stayAs) {
    // UNAUTHORIZED is already on its way to /login (see providers.tsx).
    return (
      <main className="center-screen">
        {errorCode(me.error) === 'UNAUTHORIZED' ? (
          <Loading label="Sessão encerrada. Redirecionando para o login…" />
        ) : (
          <ErrorAlert error={me.error} title="Não foi possível carregar sua sessão" onRetry={() => void me.refetch()} />
        )}
      </main>
    );
  }

  const current = (me.data ?? stayAs)!;
  const { user, organization } = current;
  const items = navItemsFor(user.role);

  // Signed in with a temporary password: nothing else works until the person chooses their own.
  if (user.passwordTemporary) {
    return (
      <SessionProvider value={current}>
        <main className="center-screen" id="main">
          <section className={styles.firstPassword} aria-labelledby="first-password-title">
            <h1 id="first-password-title">Escolha a sua senha</h1>
            <p>
              Olá, {user.name}. Você entrou com uma senha temporária; escolha agora a sua senha para usar o MyInventory em {organization.name}.
            </p>
            <ChangePasswordForm temporary />
            <button type="button" className="btn btn-secondary" onClick={() => logout.mutate()} disabled={logout.isPending}>
              Sair
            </button>
          </section>
        </main>
      </SessionProvider>
    );
  }

  return (
    <SessionProvider value={current}>
      <PushProvider userId={user.id}>
        <RegisterServiceWorker />
        <a href="#main" className="skip-link">
          Pular para o conteúdo
        </a>
        <div className="app">
          <header className="app-header">
            <Link href="/" className="brand">
              MyInventory
            </Link>
            <div className="user-box">
              <PendingChanges />
              <NotificationsBell />
              <Link href="/conta" className="user-info" aria-label={`Minha conta: ${user.name}`}>
                <span className="user-name">{user.name}</span>
                <span className="user-meta">
                  {roleLabels[user.role]} · {organization.name}
                </span>
              </Link>
              <SignOutButton signOut={() => logout.mutate()} busy={logout.isPending || logout.isSuccess} />
            </div>
          </header>
          <OfflineBanner />
          {logout.isError ? (
            <div className="app-banner">
              <ErrorAlert error={logout.error} title="Não foi possível sair" />
            </div>
          ) : null}
          <nav className="app-nav" aria-label="Principal">
            <ul>
              {items.map((item) => (
                <li key={item.href}>
                  <Link href={item.href} className="nav-link" aria-current={isActivePath(item, pathname) ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <main id="main" className="app-main" tabIndex={-1}>
            {children}
          </main>
        </div>
      </PushProvider>
    </SessionProvider>
  );
}

/**
 * Signs out after this device stops receiving the user's push notifications. Changes still waiting to be sent
 * would go with this user's kept cache: the person is asked first.
 */
function SignOutButton({ signOut, busy }: { signOut: () => void; busy: boolean }) {
  const push = usePush();
  const unsent = useUnsentChangeCount();
  const [leaving, setLeaving] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-secondary"
      disabled={busy || leaving}
      onClick={() => {
        if (unsent > 0 && !window.confirm(`${unsent === 1 ? 'Uma alteração ainda não foi enviada' : `${unsent} alterações ainda não foram enviadas`} ao servidor. Se sair agora, ela${unsent === 1 ? '' : 's'} se perde${unsent === 1 ? '' : 'm'}. Sair mesmo assim?`)) return;
        setLeaving(true);
        void push.forgetUser().finally(() => {
          setLeaving(false);
          signOut();
        });
      }}
    >
      {busy || leaving ? 'Saindo…' : 'Sair'}
    </button>
  );
}
