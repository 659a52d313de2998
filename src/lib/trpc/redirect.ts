/** Only same-site paths: `next=//evil.example` or `next=https://...` would send a person off-site after login. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next === '/login' || next.startsWith('/login?')) return '/';
  return next;
}

export function loginUrl(currentPath: string): string {
  return `/login?next=${encodeURIComponent(safeNextPath(currentPath))}`;
}
