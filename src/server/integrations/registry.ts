import type { Env } from '~/env';
import type { Logger } from '../logger';
import { createIntegration, Integrations, type IntegrationName, type IntegrationSettings } from './resilience';

type PolicyPrefix = 'FCM' | 'STORAGE' | 'OPENFOODFACTS' | 'OPENAI' | 'VISION';

/**
 * A service's policy from its seven variables (src/env.ts `policyEnv`). Calls beyond the concurrency wait in the
 * bulkhead's queue: as many as run, and never fewer than the image pipeline's jobs can make at once (up to three
 * each: a photo's files), so the pipeline's own calls wait for a slot instead of being refused while the service is up.
 */
function settingsOf(env: Env, prefix: PolicyPrefix): IntegrationSettings {
  const window = env[`${prefix}_BREAKER_WINDOW`];
  return {
    timeoutMs: env[`${prefix}_TIMEOUT_MS`],
    retries: env[`${prefix}_RETRIES`],
    breakerThreshold: env[`${prefix}_BREAKER_THRESHOLD`],
    breakerWindow: window,
    breakerMinimumCalls: Math.min(env[`${prefix}_BREAKER_MIN_CALLS`], window),
    halfOpenAfterMs: env[`${prefix}_HALF_OPEN_AFTER_MS`],
    concurrency: env[`${prefix}_CONCURRENCY`],
    queue: Math.max(env[`${prefix}_CONCURRENCY`], prefix === 'FCM' ? 0 : 3 * env.IMAGE_CONCURRENCY),
  };
}

/**
 * The external services configured for this process, each behind its policy. Storage is always there (files
 * under DATA_DIR when no bucket is set: a full or failing disk is an outage too); the others only when configured.
 * FCM: a window of 20 sends judged from 5 opens the breaker when more than half of them failed (the seed's 50 %),
 * so even a quiet store's pushes trip it within a few sends; its timeout is a net above the SDK's own retries, not a
 * latency target (FCM_TIMEOUT_MS).
 */
export function createIntegrations(env: Env, logger: Logger): Integrations {
  const integrations = new Integrations();
  const add = (name: IntegrationName, prefix: PolicyPrefix) => integrations.add(createIntegration(name, settingsOf(env, prefix), logger));
  add('storage', 'STORAGE');
  if (env.FCM_PROJECT_ID) add('fcm', 'FCM');
  if (env.OPENFOODFACTS_URL) add('openfoodfacts', 'OPENFOODFACTS');
  if (env.OPENAI_API_KEY) add('openai', 'OPENAI');
  if (env.GOOGLE_APPLICATION_CREDENTIALS) add('vision', 'VISION');
  return integrations;
}
