import {
  type BrokenCircuitError,
  type BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  CircuitState,
  CountBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { Logger } from '../logger';

/**
 * The outside world, one policy per service (docs/architecture.md "External services"). Every call to a service
 * goes through `Integration.execute`: a bulkhead (bounded concurrency, a short queue), retries with exponential
 * backoff and decorrelated jitter for failures that say the service is down or busy (never for a refusal of our
 * input), a circuit breaker over the last calls, and a timeout per attempt that aborts the call's signal.
 */

export type IntegrationName = 'fcm' | 'openai' | 'openfoodfacts' | 'storage' | 'vision';

export type IntegrationSettings = {
  /** One attempt's time limit; the call's AbortSignal fires at it. */
  timeoutMs: number;
  /** Attempts after the first, for failures of the service (not of our input). */
  retries: number;
  /** The breaker opens when more than this share (0..1, exclusive) of the last `breakerWindow` calls failed… */
  breakerThreshold: number;
  breakerWindow: number;
  /** …once at least this many calls are in the window (a quiet service is not judged on two calls). */
  breakerMinimumCalls: number;
  /** How long an open breaker refuses before it lets one call through (half-open). */
  halfOpenAfterMs: number;
  /** Calls at once; `queue` more wait, the rest are refused at once (BulkheadRejectedError). */
  concurrency: number;
  queue: number;
};

/**
 * A failure that says the service is down, slow or busy (5xx, 429, a refused connection): retried, and counted by
 * the breaker. Anything else a call throws (a 4xx about our input, a schema mismatch) is passed through at once
 * and does not count against the service.
 */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
  constructor(
    readonly service: IntegrationName,
    message: string,
    /** What the service answered, for a caller that still wants it (FCM's per-device results). */
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export type BreakerState = 'closed' | 'half_open' | 'open';
export type IntegrationStatus = { name: IntegrationName; state: BreakerState; since: string; opens: number; retryAt: string | null };

export interface Integration {
  readonly name: IntegrationName;
  execute<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T>;
  status(): IntegrationStatus;
  /** When a refused call may be tried again: the end of the open breaker's wait (now when it is not open). */
  retryAt(): Date;
}

const stateNames: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'open',
};

/**
 * A call cut at its time limit. Not cockatiel's `isTaskCancelledError`: in 3.2.1 it tests for the bulkhead's
 * marker instead (src/errors/Errors.ts), so it is false for every timeout.
 */
export const isTimeout = (error: unknown): error is TaskCancelledError => error instanceof TaskCancelledError;

/** The service failed (timeout, down, busy): what the breaker counts and the retry retries. */
const isServiceFailure = (error: unknown) => error instanceof ServiceUnavailableError || isTimeout(error);

/** The call was not made because the service is known to be down or saturated: wait, do not fail for good. */
export const isDependencyRefusal = (error: unknown): error is BrokenCircuitError | BulkheadRejectedError =>
  isBrokenCircuitError(error) || isBulkheadRejectedError(error);

/** The call failed because the service is down, slow or refusing calls (breaker open, bulkhead full): wait, do not fail. */
export const isServiceDown = (error: unknown): boolean => isDependencyRefusal(error) || isServiceFailure(error);

export function createIntegration(name: IntegrationName, settings: IntegrationSettings, logger: Logger): Integration {
  const log = logger.child({ integration: name });
  const breaker: CircuitBreakerPolicy = circuitBreaker(handleWhen(isServiceFailure), {
    halfOpenAfter: settings.halfOpenAfterMs,
    breaker: new CountBreaker({ threshold: settings.breakerThreshold, size: settings.breakerWindow, minimumNumberOfCalls: settings.breakerMinimumCalls }),
  });
  const retries = retry(handleWhen(isServiceFailure), {
    maxAttempts: settings.retries,
    backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 5_000 }),
  });
  // The signal fires at the limit only (not when the call returns: a caller may still read a body it returned).
  const perAttempt = timeout(settings.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  const policy = wrap(bulkhead(settings.concurrency, settings.queue), retries, breaker, perAttempt);

  let state: BreakerState = 'closed';
  let since = new Date();
  let opens = 0;
  breaker.onStateChange((next) => {
    const named = stateNames[next];
    if (named === state) return;
    state = named;
    since = new Date();
    if (named === 'open') opens += 1;
    // Once per transition, never per refused call.
    const entry = { breaker: named, opens, lastFailure: describeFailure(breaker.lastFailure) };
    if (named === 'open') log.warn(entry, `${name}: circuit breaker opened; calls are refused for ${settings.halfOpenAfterMs} ms`);
    else log.info(entry, `${name}: circuit breaker ${named === 'closed' ? 'closed' : 'half-open'}`);
  });

  // Open: when the wait ends (cockatiel half-opens on the first call after it, so later it is now). Half-open: a
  // test call is in flight; the calls made meanwhile wait for its answer, then run or are refused: a moment later.
  const retryAt = () => {
    const now = Date.now();
    if (state === 'open') return new Date(Math.max(now, since.getTime() + settings.halfOpenAfterMs));
    return new Date(state === 'half_open' ? now + Math.min(1_000, settings.halfOpenAfterMs) : now);
  };
  return {
    name,
    execute: (call) =>
      policy.execute(async ({ signal }) => {
        try {
          return await call(signal);
        } catch (error) {
          // A client that honours the signal rejects with its own AbortError as the time limit fires, sometimes before
          // the policy's own rejection: either way it is this attempt's timeout, counted and retried as one.
          if (signal.aborted) throw new TaskCancelledError(`${name}: no answer within ${settings.timeoutMs} ms`);
          throw error;
        }
      }),
    retryAt,
    status: () => ({ name, state, since: since.toISOString(), opens, retryAt: state === 'closed' ? null : retryAt().toISOString() }),
  };
}

function describeFailure(failure: CircuitBreakerPolicy['lastFailure']): string | undefined {
  if (!failure) return undefined;
  if ('error' in failure) return (failure.error as Error)?.message;
  return undefined;
}

/** The configured services of this process. */
export class Integrations {
  private readonly byName = new Map<IntegrationName, Integration>();

  add(integration: Integration): Integration {
    this.byName.set(integration.name, integration);
    return integration;
  }

  get(name: IntegrationName): Integration | undefined {
    return this.byName.get(name);
  }

  statuses(): IntegrationStatus[] {
    return [...this.byName.values()].map((i) => i.status()).sort((a, b) => a.name.localeCompare(b.name));
  }
}
