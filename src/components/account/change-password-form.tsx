'use client';

import { useState, type FormEvent } from 'react';
import { describeError, errorReason, fieldErrors } from '~/lib/trpc/errors';
import { api } from '~/lib/trpc/react';
import { ErrorAlert, Notice } from '../ui/feedback';
import { TextField } from '../ui/fields';

const MIN_LENGTH = 10;

/**
 * The signed-in person chooses a new password: the current one (or the temporary code they signed in with), the
 * new one twice. The server applies the policy (10+ characters, not a common one, not their email or name) and
 * signs out their other devices.
 */
export function ChangePasswordForm({ temporary, onChanged }: { temporary: boolean; onChanged?: () => void }) {
  const utils = api.useUtils();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [shown, setShown] = useState(false);
  const change = api.auth.changePassword.useMutation({
    onSuccess: async () => {
      setCurrent('');
      setNext('');
      setAgain('');
      await utils.auth.me.invalidate();
      onChanged?.();
    },
  });
  const serverErrors = fieldErrors(change.error);
  const reason = errorReason(change.error);
  if (reason === 'wrong_current_password') serverErrors.currentPassword = describeError(change.error);
  if (reason?.startsWith('password_')) serverErrors.newPassword = describeError(change.error);
  const localErrors = {
    newPassword: shown && next.length < MIN_LENGTH ? `Use pelo menos ${MIN_LENGTH} caracteres (algumas palavras formam uma boa senha).` : undefined,
    again: shown && again !== next ? 'As duas senhas novas não são iguais.' : undefined,
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShown(true);
    if (next.length < MIN_LENGTH || again !== next) return;
    change.mutate({ currentPassword: current, newPassword: next });
  };

  return (
    <form className="form card" onSubmit={submit} noValidate aria-label="Trocar senha">
      <TextField
        label={temporary ? 'Senha temporária' : 'Senha atual'}
        type="password"
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
        autoComplete="current-password"
        error={serverErrors.currentPassword}
      />
      <TextField
        label="Nova senha"
        type="password"
        value={next}
        onChange={(e) => setNext(e.target.value)}
        autoComplete="new-password"
        hint="Pelo menos 10 caracteres. Uma frase fácil de lembrar é melhor que símbolos difíceis."
        error={localErrors.newPassword ?? serverErrors.newPassword}
      />
      <TextField label="Repita a nova senha" type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" error={localErrors.again} />
      {change.isError && !serverErrors.currentPassword && !serverErrors.newPassword ? <ErrorAlert error={change.error} title="Não foi possível trocar a senha" /> : null}
      {change.isSuccess ? <Notice tone="success">Senha trocada. Seus outros dispositivos foram desconectados.</Notice> : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={change.isPending}>
          {change.isPending ? 'Salvando…' : 'Trocar senha'}
        </button>
      </div>
    </form>
  );
}
