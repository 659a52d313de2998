import * as Sentry from '@sentry/nextjs';
import { MONITORING_META, privateDataCollection, scrubEvent, type BrowserMonitoring } from '~/lib/error-scrub';
import { MONITORING_TUNNEL_PATH } from '~/lib/monitoring';

/**
 * The browser's error tracking (Next loads this file before the app's code). The DSN, environment and release
 * come from the page (`<meta name="mi-monitoring">`, rendered by the root layout from the server's SENTRY_*
 * variables), so one build runs in every deployment; without the meta tag Sentry stays off. Envelopes go through
 * our own server's tunnel, so the CSP's connect-src stays 'self'. No tracing or replay in the browser.
 */
const content = typeof document === 'undefined' ? null : document.querySelector<HTMLMetaElement>(`meta[name="${MONITORING_META}"]`)?.content;
if (content) {
  const config = JSON.parse(content) as BrowserMonitoring;
  Sentry.init({
    dsn: config.dsn,
    environment: config.environment,
    release: config.release,
    tunnel: MONITORING_TUNNEL_PATH,
    dataCollection: privateDataCollection(),
    beforeSend: (event) => scrubEvent(event),
  });
}
