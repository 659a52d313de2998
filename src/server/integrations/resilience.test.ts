import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isBrokenCircuitError, isBulkheadRejectedError } from 'cockatiel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { createIntegration, isTimeout, ServiceUnavailableError, type IntegrationSettings } from './resilience';

/**
 * A local service that answers on command (200, 503, 400, or never), counting the requests it gets; the policy's
 * calls reach it with fetch, as a real client's would.
 */
let server: http.Server;
let url: string;
let mode: 'ok' | 'down' | 'bad-input' | 'hang' = 'ok';
let requests = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    if (mode === 'hang') return; // never answers
    const status = mode === 'ok' ? 200 : mode === 'down' ? 503 : 400;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

class BadInputError extends Error {}

/** What a client does with the service's answers: 5xx says the service is down; 4xx is about our input. */
async function callService(signal: AbortSignal) {
  const response = await fetch(url, { signal });
  if (response.status >= 500) throw new ServiceUnavailableError('openfoodfacts', `HTTP ${response.status}`);
  if (response.status >= 400) throw new BadInputError(`HTTP ${response.status}`);
  return response.json();
}

const settings: IntegrationSettings = {
  timeoutMs: 300,
  retries: 1,
  breakerThreshold: 0.5,
  breakerWindow: 10,
  breakerMinimumCalls: 4,
  halfOpenAfterMs: 400,
  concurrency: 2,
  queue: 1,
};
const logger = createLogger({ level: 'silent' });
const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);

describe('an integration policy', () => {
  it('retries a failure of the service once, with backoff, and counts both calls', async () => {
    const integration = createIntegration('openfoodfacts', settings, logger);
    mode = 'down';
    requests = 0;
    const error = await failureOf(integration.execute(callService));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(requests).toBe(2);
    expect(integration.status().state).toBe('closed'); // 2 calls: below the 4 it judges from
  });

  it('never retries nor counts a refusal of our input', async () => {
    const integration = createIntegration('openfoodfacts', settings, logger);
    mode = 'bad-input';
    requests = 0;
    for (let i = 0; i < 6; i++) expect(await failureOf(integration.execute(callService))).toBeInstanceOf(BadInputError);
    expect(requests).toBe(6);
    expect(integration.status()).toMatchObject({ state: 'closed', opens: 0 });
  });

  it('opens when more than half the calls of its window failed, then refuses without calling; half-opens after the wait and closes on a success', async () => {
    // A long wait: the refused calls below must all fall inside it on a busy machine.
    const integration = createIntegration('openfoodfacts', { ...settings, halfOpenAfterMs: 2_000 }, logger);
    mode = 'down';
    requests = 0;
    await failureOf(integration.execute(callService)); // 2 calls
    await failureOf(integration.execute(callService)); // 4 calls, all failed: opens
    expect(integration.status()).toMatchObject({ state: 'open', opens: 1 });
    expect(requests).toBe(4);
    const openedAt = Date.parse(integration.status().since);
    expect(integration.retryAt().getTime()).toBe(openedAt + 2_000);

    // While open: refused at once, the service never called.
    for (let i = 0; i < 20; i++) expect(isBrokenCircuitError(await failureOf(integration.execute(callService)))).toBe(true);
    expect(requests).toBe(4);

    // The service is back; after the wait, one call tests it and the breaker closes.
    mode = 'ok';
    await new Promise((r) => setTimeout(r, Math.max(0, openedAt + 2_000 + 50 - Date.now())));
    expect(await integration.execute(callService)).toEqual({ status: 200 });
    expect(requests).toBe(5);
    expect(integration.status()).toMatchObject({ state: 'closed', opens: 1, retryAt: null });
  });

  it('a failed test call opens it again for another wait: one call per half-open interval while the service is down', async () => {
    const integration = createIntegration('openfoodfacts', settings, logger);
    mode = 'down';
    await failureOf(integration.execute(callService));
    await failureOf(integration.execute(callService));
    expect(integration.status().state).toBe('open');
    requests = 0;
    const until = Date.now() + 3 * settings.halfOpenAfterMs + 100;
    while (Date.now() < until) {
      await failureOf(integration.execute(callService));
      await new Promise((r) => setTimeout(r, 20));
    }
    // Three intervals passed: one test call each (its failure reopens the breaker, so the policy's retry of it is
    // refused without a call).
    expect(requests).toBeGreaterThanOrEqual(2);
    expect(requests).toBeLessThanOrEqual(3);
    expect(integration.status()).toMatchObject({ state: 'open', opens: 1 + requests });
    mode = 'ok';
  });

  it('aborts an attempt at its time limit (the signal fires) and counts it against the service', async () => {
    const integration = createIntegration('openfoodfacts', { ...settings, retries: 0 }, logger);
    mode = 'hang';
    let aborted = 0;
    const started = performance.now();
    const error = await failureOf(
      integration.execute(async (signal) => {
        signal.addEventListener('abort', () => aborted++);
        return callService(signal);
      }),
    );
    expect(isTimeout(error), String(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(settings.timeoutMs + 1_000); // the service never answers
    expect(aborted).toBe(1);
    for (let i = 0; i < 3; i++) await failureOf(integration.execute(callService));
    expect(integration.status().state).toBe('open');
    mode = 'ok';
  });

  it('runs at most `concurrency` calls at once, queues `queue` more and refuses the rest at once', async () => {
    const integration = createIntegration('openfoodfacts', { ...settings, timeoutMs: 5_000 }, logger);
    let running = 0;
    let most = 0;
    const slow = () =>
      integration.execute(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 100));
        running--;
        return 'done';
      });
    const results = await Promise.allSettled([slow(), slow(), slow(), slow(), slow()]);
    expect(most).toBe(2);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(2);
    expect(refused.every((r) => isBulkheadRejectedError(r.reason))).toBe(true);
  });
});
