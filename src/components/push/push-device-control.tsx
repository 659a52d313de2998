'use client';

import { usePush } from './push-provider';
import styles from './push.module.css';

/**
 * "Push on this device", at the foot of the notifications panel. Absent when the deployment has no Firebase web
 * config; otherwise it says why push is unavailable, how to unblock it, or offers to turn it on or off.
 */
export function PushDeviceControl() {
  const { status, error, enable, disable } = usePush();
  if (status === 'loading' || status === 'hidden') return null;

  return (
    <div className={styles.pushControl}>
      <h3 className={styles.pushControlTitle}>
        Notificações neste aparelho
      </h3>
      {status === 'unsupported' ? (
        <p className={styles.pushControlText}>
          Este navegador não recebe notificações push. No iPhone ou iPad, adicione o MyInventory à tela de início e abra-o por lá.
        </p>
      ) : status === 'denied' ? (
        <p className={styles.pushControlText}>
          As notificações estão bloqueadas para este site. Para liberar, toque no ícone à esquerda do endereço, abra as
          permissões do site, escolha <strong>Permitir</strong> em Notificações e recarregue a página.
        </p>
      ) : status === 'active' || status === 'disabling' ? (
        <>
          <p className={styles.pushControlText}>Ativadas: você recebe avisos aqui mesmo com o MyInventory fechado.</p>
          <button type="button" className="btn btn-secondary btn-small" onClick={disable} disabled={status === 'disabling'}>
            {status === 'disabling' ? 'Desativando…' : 'Desativar'}
          </button>
        </>
      ) : (
        <>
          <p className={styles.pushControlText}>Receba avisos de solicitações e inventários mesmo com o MyInventory fechado.</p>
          <button type="button" className="btn btn-primary btn-small" onClick={enable} disabled={status === 'enabling'}>
            {status === 'enabling' ? 'Ativando…' : 'Ativar notificações neste aparelho'}
          </button>
        </>
      )}
      {error ? (
        <p className={styles.pushControlError} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
