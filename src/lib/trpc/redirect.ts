const OWN = 'http://myinventory.invalid';

/**
 * Only our own paths: `next` is parsed as a browser would (which drops tabs and newlines and reads `\` as `/`)
 * against our origin, and kept only if it stays there; `//evil.example`, `/%09/evil.example` or `https://…` would
 * send a person off-site after login.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, OWN);
  } catch {
    return '/';
  }
  if (url.origin !== OWN || url.pathname === '/login') return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The operator's pages, and Bull Board, which our server serves to the operator only. */
const isOperatorPath = (path: string) => /^\/operator(\/|\?|$)/.test(path) || /^\/admin\/queues(\/|\?|$)/.test(path);

/**
 * Where a login lands: where the person was going, unless that is the other side's. The platform operator
 * belongs to no organization, so an org's page is no place for them (and the operator's pages none for a member).
 */
export function landingPath(kind: 'member' | 'operator', next: string): string {
  if (kind === 'operator') return isOperatorPath(next) ? next : '/operator';
  return isOperatorPath(next) ? '/' : next;
}

export function loginUrl(currentPath: string): string {
  return `/login?next=${encodeURIComponent(safeNextPath(currentPath))}`;
}

type ExpiredLoginHandler = () => void;
const expiredLoginHandlers = new Set<ExpiredLoginHandler>();
/** Sticky for the page's life: a page that registers after the login was found expired is told at once. */
let loginExpired = false;

/**
 * Pages that keep working without a login: the counting screen queues scans on the tablet, so an expired login
 * (even one found on opening the page) shows a "sign in again" banner there instead of leaving for /login.
 */
export function worksWithoutLogin(pathname: string): boolean {
  return /^\/inventory\/[^/]+\/count\/?$/.test(pathname);
}

/**
 * For a page that keeps working without a login: while registered, an UNAUTHORIZED answer calls `handler`
 * instead of sending the person to /login. Returns the unregister function.
 */
export function handleExpiredLoginHere(handler: ExpiredLoginHandler): () => void {
  expiredLoginHandlers.add(handler);
  if (loginExpired) handler();
  return () => {
    expiredLoginHandlers.delete(handler);
  };
}

/** Tells the page the login expired; false when it does not work without one (then redirect to /login). */
export function notifyExpiredLogin(pathname: string): boolean {
  loginExpired = true;
  for (const handler of expiredLoginHandlers) handler();
  return expiredLoginHandlers.size > 0 || worksWithoutLogin(pathname);
}
