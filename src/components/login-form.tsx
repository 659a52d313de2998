'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { describeError, errorCode, fieldErrors, isNetworkError, retryAfterSeconds } from '~/lib/trpc/errors';
import { api } from '~/lib/trpc/react';
import { landingPath, safeNextPath } from '~/lib/trpc/redirect';
import { setPersistedUser } from '~/offline/query-persister';
import { API_CACHE } from '~/sw/routes';
import { TextField } from './ui/fields';

type LoginError = { message: string; data?: unknown };

function loginErrorMessage(error: LoginError): string {
  if (isNetworkError(error)) return 'Sem conexão com o servidor. Verifique sua rede e tente novamente.';
  switch (errorCode(error)) {
    case 'UNAUTHORIZED':
      return 'E-mail ou senha incorretos';
    case 'TOO_MANY_REQUESTS':
      return `Muitas tentativas. Tente novamente em ${retryAfterSeconds(error) ?? 60} s`;
    case 'BAD_REQUEST':
      return 'Verifique o e-mail e a senha.';
    default:
      return describeError(error);
  }
}

export function LoginForm() {
  const router = useRouter();
  const searchParams = useSearchParams();
  const queryClient = useQueryClient();
  const next = safeNextPath(searchParams.get('next'));
  const [missing, setMissing] = useState<{ email?: string; password?: string }>({});

  const login = api.auth.login.useMutation({
    onSuccess: (session) => {
      // Nothing cached for a previous user may leak into this session.
      queryClient.clear();
      if (session.kind === 'operator') return router.replace(landingPath(session.kind, next));
      // A full load: the next page reads this user's kept cache (their answers and the changes they left waiting
      // offline), never the previous user's.
      setPersistedUser(session.userId);
      // The service worker's copies of the previous user's answers (auth.me among them) go before the next page
      // could be answered from them on a slow network.
      const cleared = 'caches' in window ? caches.delete(API_CACHE).catch(() => false) : Promise.resolve(false);
      void cleared.finally(() => window.location.replace(landingPath(session.kind, next)));
    },
  });
  const serverFieldErrors = fieldErrors(login.error);

  // The fields are read from the form, not from state: what a person typed before the page finished loading (a
  // slow tablet) is in the inputs, and hydration does not wipe uncontrolled inputs as it would controlled ones.
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    const empty = {
      email: email.trim() ? undefined : 'Informe seu e-mail',
      password: password ? undefined : 'Informe sua senha',
    };
    setMissing(empty);
    if (empty.email || empty.password) return;
    login.mutate({ email: email.trim(), password });
  };

  // A successful login keeps the button disabled until the next page has replaced this one.
  const busy = login.isPending || login.isSuccess;

  return (
    // method="post": should a submit ever happen without JavaScript, the password must not land in the URL.
    <form className="form" method="post" onSubmit={submit} noValidate aria-describedby={login.isError ? 'login-error' : undefined}>
      <TextField
        label="E-mail"
        type="email"
        name="email"
        autoComplete="username"
        inputMode="email"
        autoCapitalize="none"
        spellCheck={false}
        error={missing.email ?? serverFieldErrors.email}
      />
      <TextField
        label="Senha"
        type="password"
        name="password"
        autoComplete="current-password"
        error={missing.password ?? serverFieldErrors.password}
      />
      {login.isError ? (
        <div id="login-error" className="alert alert-error" role="alert">
          <p>{loginErrorMessage(login.error)}</p>
        </div>
      ) : null}
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        {busy ? 'Entrando…' : 'Entrar'}
      </button>
    </form>
  );
}
