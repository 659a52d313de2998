'use client';

import { useRouter } from 'next/navigation';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  currentPushToken,
  deletePushToken,
  isPushSupported,
  onForegroundMessage,
  readStoredRegistration,
  storeRegistration,
  type WebPushConfig,
} from '~/lib/browser/push';
import { OPEN_PATH_MESSAGE } from '~/lib/browser/push-messages';
import { notificationPath } from '~/lib/notification-links';
import { api } from '~/lib/trpc/react';
import styles from './push.module.css';

/**
 * hidden: this deployment has no Firebase web config (or it could not be read); unsupported: this browser has no
 * web push; denied: the person blocked notifications for the site; off / active: this device's token is not /
 * is registered for the signed-in user.
 */
export type PushStatus = 'loading' | 'hidden' | 'unsupported' | 'denied' | 'off' | 'active' | 'enabling' | 'disabling';
export type ForegroundMessage = { id: number; title: string; body: string; path: string | null };

type PushContextValue = {
  status: PushStatus;
  error: string | null;
  enable(): void;
  disable(): void;
  /** Before signing out: the server stops sending this user's notifications here (the device stays "on" for the next user). */
  forgetUser(): Promise<void>;
  message: ForegroundMessage | null;
  dismissMessage(): void;
};

const PushContext = createContext<PushContextValue | null>(null);

export function usePush(): PushContextValue {
  const value = useContext(PushContext);
  if (!value) throw new Error('usePush must be used inside PushProvider (src/components/app-shell.tsx)');
  return value;
}

/** A registration older than this is sent again on start, so the server's lastSeenAt tells live devices from gone ones. */
const REREGISTER_AFTER_MS = 24 * 60 * 60 * 1000;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Only paths of this app, never another origin (`//host`) from a message. */
function safePath(path: unknown): string | null {
  return typeof path === 'string' && path.startsWith('/') && !path.startsWith('//') ? path : null;
}

/**
 * Push on this device for the signed-in user: on each start with the permission granted and a registration made
 * here, the token is read again (the SDK renews it) and sent to the server when it changed, when another user
 * signed in, or once a day; messages that arrive while the app is visible become an in-app notice; a click on a
 * system notification, relayed by the messaging worker, opens its page here.
 */
export function PushProvider({ userId, children }: { userId: string; children: ReactNode }) {
  const router = useRouter();
  const utils = api.useUtils();
  const configQuery = api.notifications.pushConfig.useQuery(undefined, { staleTime: Infinity, retry: 1 });
  const config: WebPushConfig | null | undefined = configQuery.isError ? null : configQuery.data;
  const [status, setStatus] = useState<PushStatus>('loading');
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<ForegroundMessage | null>(null);

  const register = useCallback(
    async (cfg: WebPushConfig) => {
      const token = await currentPushToken(cfg);
      const stored = readStoredRegistration();
      const changed = !stored || stored.token !== token || stored.userId !== userId;
      if (changed || Date.now() - stored.registeredAt > REREGISTER_AFTER_MS) {
        await utils.client.notifications.registerDevice.mutate({ token, platform: 'web' });
        // The SDK replaced the token: the old one is dead at FCM, so it goes from the server too.
        if (stored && stored.token !== token && stored.userId === userId) {
          await utils.client.notifications.unregisterDevice.mutate({ token: stored.token }).catch(() => undefined);
        }
        storeRegistration({ token, userId, registeredAt: Date.now() });
      }
    },
    [userId, utils],
  );

  useEffect(() => {
    if (config === undefined) return;
    if (config === null) {
      setStatus('hidden');
      return;
    }
    let cancelled = false;
    void (async () => {
      const next = await (async (): Promise<PushStatus> => {
        if (!(await isPushSupported())) return 'unsupported';
        if (Notification.permission === 'denied') return 'denied';
        // Never asks for the permission by itself: only the button does.
        if (Notification.permission !== 'granted' || !readStoredRegistration()) return 'off';
        try {
          await register(config);
          return 'active';
        } catch (e) {
          if (!cancelled) setError(`Não foi possível renovar o registro deste aparelho: ${describe(e)}`);
          return 'off';
        }
      })();
      if (!cancelled) setStatus(next);
    })();
    return () => {
      cancelled = true;
    };
  }, [config, register]);

  useEffect(() => {
    if (!config || status !== 'active') return;
    let unsubscribe: (() => void) | null = null;
    let cancelled = false;
    void onForegroundMessage(config, (payload) => {
      setMessage({
        id: Date.now(),
        title: payload.notification?.title ?? 'Nova notificação',
        body: payload.notification?.body ?? '',
        path: notificationPath(payload.data),
      });
      void utils.notifications.list.invalidate();
    }).then((off) => {
      if (cancelled) off();
      else unsubscribe = off;
    });
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  }, [config, status, utils]);

  useEffect(() => {
    if (!config || !('serviceWorker' in navigator)) return;
    const onWorkerMessage = (event: MessageEvent) => {
      const data = event.data as { type?: unknown; path?: unknown } | null;
      const path = data?.type === OPEN_PATH_MESSAGE ? safePath(data.path) : null;
      if (path) router.push(path);
    };
    navigator.serviceWorker.addEventListener('message', onWorkerMessage);
    return () => navigator.serviceWorker.removeEventListener('message', onWorkerMessage);
  }, [config, router]);

  const enable = useCallback(() => {
    if (!config) return;
    setError(null);
    setStatus('enabling');
    void (async () => {
      try {
        const permission = await Notification.requestPermission();
        if (permission === 'denied') {
          setStatus('denied');
          return;
        }
        if (permission !== 'granted') {
          setError('O pedido de permissão foi fechado sem resposta. Toque em “Ativar” de novo e escolha “Permitir”.');
          setStatus('off');
          return;
        }
        await register(config);
        setStatus('active');
      } catch (e) {
        setError(`Não foi possível ativar as notificações neste aparelho: ${describe(e)}`);
        setStatus('off');
      }
    })();
  }, [config, register]);

  const disable = useCallback(() => {
    if (!config) return;
    setError(null);
    setStatus('disabling');
    void (async () => {
      try {
        const stored = readStoredRegistration();
        // The server first: once it forgets the token nothing is sent here, whatever FCM answers next.
        if (stored) await utils.client.notifications.unregisterDevice.mutate({ token: stored.token });
        storeRegistration(null);
      } catch (e) {
        setError(`Não foi possível desativar as notificações: ${describe(e)}`);
        setStatus('active');
        return;
      }
      if (Notification.permission === 'granted') {
        await deletePushToken(config).catch(() => undefined);
      }
      setStatus('off');
    })();
  }, [config, utils]);

  const forgetUser = useCallback(async () => {
    const stored = readStoredRegistration();
    if (!stored || stored.userId !== userId) return;
    // Best effort: signing out must work offline too (the next user's start moves the token to them anyway).
    await utils.client.notifications.unregisterDevice.mutate({ token: stored.token }).catch(() => undefined);
    storeRegistration({ ...stored, userId: '' });
  }, [userId, utils]);

  const value = useMemo<PushContextValue>(
    () => ({ status, error, enable, disable, forgetUser, message, dismissMessage: () => setMessage(null) }),
    [status, error, enable, disable, forgetUser, message],
  );

  return (
    <PushContext.Provider value={value}>
      {children}
      <ForegroundMessageNotice />
    </PushContext.Provider>
  );
}

/** A push message that arrived while the app was on screen (the system shows none then). */
function ForegroundMessageNotice() {
  const { message, dismissMessage } = usePush();
  const router = useRouter();
  if (!message) return null;
  return (
    <div className={styles.pushToast} role="status" aria-live="polite" key={message.id}>
      <p className={styles.pushToastTitle}>{message.title}</p>
      {message.body ? <p className={styles.pushToastBody}>{message.body}</p> : null}
      <div className={styles.pushToastActions}>
        {message.path ? (
          <button
            type="button"
            className="btn btn-primary btn-small"
            onClick={() => {
              dismissMessage();
              router.push(message.path!);
            }}
          >
            Abrir
          </button>
        ) : null}
        <button type="button" className="btn btn-secondary btn-small" onClick={dismissMessage}>
          Dispensar
        </button>
      </div>
    </div>
  );
}
