import { randomUUID } from 'node:crypto';

/** What both entry points (our Node server and the App Router route handler) read off a request the same way. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | null | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** A present but unusable Authorization header is kept, so it fails as a bad credential instead of passing as anonymous. */
export function bearerFrom(header: string | null | undefined): string | null {
  if (!header) return null;
  return /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] ?? header;
}

/** Behind a trusted proxy the client is the last X-Forwarded-For hop; otherwise the socket's peer. */
export function clientIpFrom(forwardedFor: string | string[] | null | undefined, remoteAddress: string | null | undefined, trustProxy: boolean): string | null {
  if (trustProxy && forwardedFor) {
    const last = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').pop()?.trim();
    if (last) return last;
  }
  return remoteAddress ?? null;
}
