import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Where browsers send CSP violation reports (counted and logged by the server). */
export const CSP_REPORT_PATH = '/api/csp-report';

/** The Firebase endpoints a browser talks to while registering for push (src/lib/browser/push.ts). */
const FIREBASE_ENDPOINTS = ['https://firebaseinstallations.googleapis.com', 'https://fcmregistrations.googleapis.com', 'https://fcm.googleapis.com'];

/**
 * The pages' policy: scripts only with this response's nonce (Next puts it on its own scripts, and what they load
 * follows through 'strict-dynamic'), nothing framed anywhere, the camera's video and product images allowed.
 */
export function pagePolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    // React and the charts set style attributes: styles may be inline, scripts may not.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    `connect-src 'self' ${FIREBASE_ENDPOINTS.join(' ')}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    `report-uri ${CSP_REPORT_PATH}`,
  ].join('; ');
}

/** Bull Board's page: its scripts are files of its own (no inline script); nothing from another origin. */
export const queueBoardPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  `report-uri ${CSP_REPORT_PATH}`,
].join('; ');

/** API answers are data, never a document: nothing may run or be framed. */
export const apiPolicy = "default-src 'none'; frame-ancestors 'none'";

/** Headers every answer carries; HSTS only when it reached us over TLS (a plain-HTTP LAN trial must stay reachable). */
export function setBaseHeaders(res: ServerResponse, opts: { secure: boolean }) {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
  // The camera is for our own pages (counting); nothing else a browser can grant is asked for.
  res.setHeader('Permissions-Policy', 'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), interest-cohort=()');
  if (opts.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
}

/**
 * A page's nonce: put where Next reads it (the request's Content-Security-Policy, so it marks its scripts) and on
 * the response.
 */
export function applyPagePolicy(req: IncomingMessage, res: ServerResponse) {
  const policy = pagePolicy(randomBytes(16).toString('base64'));
  req.headers['content-security-policy'] = policy;
  res.setHeader('Content-Security-Policy', policy);
}
