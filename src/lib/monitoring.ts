/** Where the browser's Sentry SDK sends its envelopes (its `tunnel`): our own origin, so the CSP needs no other. */
export const MONITORING_TUNNEL_PATH = '/api/monitoring';
