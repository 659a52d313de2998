'use client';

import { useIsMutating } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { notificationPath } from '~/lib/notification-links';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { PushDeviceControl } from './push/push-device-control';
import { ErrorAlert } from './ui/feedback';
import { formatDateTime, formatRelativeTime } from './ui/format';
import styles from './notifications-bell.module.css';

type Notification = RouterOutputs['notifications']['list']['items'][number];

const LIST_INPUT = { limit: 20 };

/** tRPC mutation keys start with the procedure path: [['auth', 'logout']]. */
function isAuthMutation(key: readonly unknown[] | undefined): boolean {
  const path = key?.[0];
  return Array.isArray(path) && path[0] === 'auth';
}

/**
 * The bell in the header: unread count, and a panel (opened by click, Enter or Space; never by hover) with the
 * latest notifications. Notifications are not pushed to the page, so it asks again on focus, every minute,
 * and after anything this page changed.
 */
export function NotificationsBell() {
  const router = useRouter();
  const utils = api.useUtils();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const containerRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  const list = api.notifications.list.useQuery(LIST_INPUT, { staleTime: 15_000, refetchOnWindowFocus: true, refetchInterval: 60_000 });
  const markRead = api.notifications.markRead.useMutation({ onSettled: () => utils.notifications.list.invalidate() });

  // Any mutation of this page (a submit, a decision) may have produced notifications: look again once they settle.
  // Not after signing in or out: the session is changing, and a refetch would race the redirect.
  const mutating = useIsMutating({ predicate: (mutation) => !isAuthMutation(mutation.options.mutationKey) });
  const wasMutating = useRef(false);
  useEffect(() => {
    if (wasMutating.current && mutating === 0) void utils.notifications.list.invalidate();
    wasMutating.current = mutating > 0;
  }, [mutating, utils]);

  useEffect(() => {
    if (!open) return;
    // Start where the work is: the first thing in the panel.
    panelRef.current?.querySelector<HTMLElement>('button:not([disabled]), [tabindex="-1"]')?.focus();
    const onPointerDown = (event: PointerEvent) => {
      if (!containerRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const close = (returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && open) {
      event.stopPropagation();
      close(true);
    }
  };

  const openNotification = (notification: Notification) => {
    if (!notification.readAt) markRead.mutate({ ids: [notification.id] });
    const path = notificationPath(notification.data);
    close(!path);
    if (path) router.push(path);
  };

  const unread = list.data?.unreadCount ?? 0;
  const notifications = list.data?.items ?? [];
  const label = unread === 0 ? 'Notificações' : `Notificações, ${unread === 1 ? '1 não lida' : `${unread} não lidas`}`;

  return (
    <div
      className={styles.bell}
      ref={containerRef}
      onKeyDown={onKeyDown}
      onBlur={(event) => {
        // Tabbing out of the panel closes it, as leaving a menu does.
        if (open && event.relatedTarget && !containerRef.current?.contains(event.relatedTarget as Node)) setOpen(false);
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className={`btn btn-secondary ${styles.bellButton}`}
        aria-label={label}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        <svg aria-hidden="true" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.73 21a2 2 0 0 1-3.46 0" />
        </svg>
        {unread > 0 ? (
          <span className={styles.bellCount} aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </button>
      <div id={panelId} ref={panelRef} className={styles.bellPanel} role="region" aria-label="Notificações" hidden={!open}>
        {open ? (
          <>
            <div className={styles.bellPanelHeader}>
              <h2 className={styles.bellTitle}>Notificações</h2>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                onClick={() => markRead.mutate({ all: true })}
                disabled={unread === 0 || markRead.isPending}
              >
                {markRead.isPending ? 'Marcando…' : 'Marcar todas como lidas'}
              </button>
            </div>
            {markRead.isError ? <ErrorAlert error={markRead.error} title="Não foi possível marcar como lidas" /> : null}
            {list.isPending ? (
              <p className={styles.bellEmpty} tabIndex={-1}>
                Carregando…
              </p>
            ) : list.isError ? (
              <ErrorAlert error={list.error} title="Não foi possível carregar as notificações" onRetry={() => void list.refetch()} />
            ) : notifications.length === 0 ? (
              <p className={styles.bellEmpty} tabIndex={-1}>
                Nenhuma notificação por enquanto.
              </p>
            ) : (
              <ul className={styles.bellList}>
                {notifications.map((n) => (
                  <li key={n.id}>
                    <button type="button" className={n.readAt ? styles.bellItem : `${styles.bellItem} ${styles.bellItemUnread}`} onClick={() => openNotification(n)}>
                      <span className={styles.bellItemTitle}>
                        {n.readAt ? null : <span className="sr-only">Não lida: </span>}
                        {n.title}
                      </span>
                      <span className={styles.bellItemBody}>{n.body}</span>
                      {/* The exact time is written out too: a tooltip needs a hover a tablet does not have. */}
                      <time className={styles.bellItemTime} dateTime={new Date(n.createdAt).toISOString()}>
                        {formatRelativeTime(n.createdAt)} · {formatDateTime(n.createdAt)}
                      </time>
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <PushDeviceControl />
          </>
        ) : null}
      </div>
    </div>
  );
}
