/** Only same-site paths: `next=//evil.example` or `next=https://...` would send a person off-site after login. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next === '/login' || next.startsWith('/login?')) return '/';
  return next;
}

export function loginUrl(currentPath: string): string {
  return `/login?next=${encodeURIComponent(safeNextPath(currentPath))}`;
}

type ExpiredLoginHandler = () => void;
const expiredLoginHandlers = new Set<ExpiredLoginHandler>();

/**
 * For a page that keeps working without a login (the counting screen queues scans offline): while registered,
 * an UNAUTHORIZED answer calls `handler` instead of sending the person to /login. Returns the unregister function.
 */
export function handleExpiredLoginHere(handler: ExpiredLoginHandler): () => void {
  expiredLoginHandlers.add(handler);
  return () => {
    expiredLoginHandlers.delete(handler);
  };
}

/** Tells the registered pages that the login expired; false when none is registered (then redirect to /login). */
export function notifyExpiredLogin(): boolean {
  if (expiredLoginHandlers.size === 0) return false;
  for (const handler of expiredLoginHandlers) handler();
  return true;
}
