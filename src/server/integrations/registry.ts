import type { Env } from '~/env';
import type { Logger } from '../logger';
import { createIntegration, Integrations } from './resilience';

/**
 * The external services configured for this process, each behind its policy. FCM: a window of 20 sends judged
 * from 5 opens the breaker when more than half of them failed (the seed's 50 %), so even a quiet store's pushes trip
 * it within a few sends; its timeout is a net above the SDK's own retries, not a latency target (FCM_TIMEOUT_MS).
 */
export function createIntegrations(env: Env, logger: Logger): Integrations {
  const integrations = new Integrations();
  if (env.FCM_PROJECT_ID) {
    integrations.add(
      createIntegration(
        'fcm',
        {
          timeoutMs: env.FCM_TIMEOUT_MS,
          retries: env.FCM_RETRIES,
          breakerThreshold: env.FCM_BREAKER_THRESHOLD,
          breakerWindow: env.FCM_BREAKER_WINDOW,
          breakerMinimumCalls: Math.min(env.FCM_BREAKER_MIN_CALLS, env.FCM_BREAKER_WINDOW),
          halfOpenAfterMs: env.FCM_HALF_OPEN_AFTER_MS,
          concurrency: env.FCM_CONCURRENCY,
          queue: env.FCM_CONCURRENCY,
        },
        logger,
      ),
    );
  }
  return integrations;
}
