/**
 * The page a notification leads to, from its data (the same keys in-app and in a push message, where FCM turns
 * every value into a string). Used by the bell, the in-app push banner and the Firebase messaging service worker.
 */
export function notificationPath(data: Record<string, unknown> | null | undefined): string | null {
  const requestId = data?.requestId;
  if (typeof requestId === 'string' && requestId) return `/purchase-requests/${encodeURIComponent(requestId)}`;
  // A count the person was assigned to: straight to counting.
  const countSessionId = data?.countSessionId;
  if (typeof countSessionId === 'string' && countSessionId) return `/inventory/${encodeURIComponent(countSessionId)}/count`;
  const sessionId = data?.sessionId;
  if (typeof sessionId === 'string' && sessionId) return `/inventory/${encodeURIComponent(sessionId)}`;
  const complianceTaskId = data?.complianceTaskId;
  if (typeof complianceTaskId === 'string' && complianceTaskId) return `/compliance/${encodeURIComponent(complianceTaskId)}`;
  return null;
}
