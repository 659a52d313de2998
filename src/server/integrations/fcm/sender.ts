import { readFileSync } from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { App } from 'firebase-admin/app';
import type { Logger } from '../../logger';
import { inSpan, SpanKind, tracingEnabled } from '../../telemetry/spans';
import { ServiceUnavailableError, type Integration } from '../resilience';

export type PushMessage = { token: string; title: string; body: string; data: Record<string, string> };
/**
 * One device's outcome. A failure is one of: the token is dead (`tokenInvalid`: remove it), FCM is busy or down
 * (`retryable`), or neither: FCM refuses this message for good (wrong credentials or project, a payload it rejects).
 */
export type PushResult =
  | { token: string; ok: true }
  | { token: string; ok: false; code: string; message: string; tokenInvalid: boolean; retryable: boolean; retryAfterMs: number | null };

/**
 * firebase-admin drops the headers of FCM's answers, so Retry-After on a 429 would never reach us: the SDK's
 * internal builder of a failed send's result is wrapped to keep it (docs/architecture.md "Push delivery"). If a
 * version moves it, `keepsRetryAfter` is false and FCM_RATE_LIMIT_DELAY_MS applies.
 */
const RETRY_AFTER = Symbol('fcm-retry-after');
const keepsRetryAfter = (() => {
  try {
    const require = createRequire(import.meta.url);
    const internal = require(path.join(path.dirname(require.resolve('firebase-admin/messaging')), 'messaging-api-request-internal.js')) as {
      FirebaseMessagingRequestHandler?: { prototype: { buildSendResponseFromError?: (err: unknown) => { error?: object } } };
    };
    const proto = internal.FirebaseMessagingRequestHandler?.prototype;
    const original = proto?.buildSendResponseFromError;
    if (!proto || !original) return false;
    proto.buildSendResponseFromError = function (this: unknown, err: unknown) {
      const result = original.call(this, err);
      const header = (err as { response?: { headers?: Record<string, string | string[] | undefined> } })?.response?.headers?.['retry-after'];
      if (result.error && header !== undefined) Object.defineProperty(result.error, RETRY_AFTER, { value: Array.isArray(header) ? header[0] : header });
      return result;
    };
    return true;
  } catch {
    return false;
  }
})();

/** Retry-After as FCM sends it: seconds, or an HTTP date. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | null {
  if (header === undefined || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export interface PushSender {
  /**
   * One result per message. Throws only when no send was made or finished: FCM's breaker is open or its sends are
   * saturated (cockatiel's BrokenCircuitError / BulkheadRejectedError), or the send timed out (TaskCancelledError).
   */
  sendEach(messages: PushMessage[]): Promise<PushResult[]>;
  /** Whether FCM is known to be down now (its breaker open or testing), and when a send may be tried again. */
  availability(): { down: boolean; retryAt: Date };
  close(): Promise<void>;
}

const INVALID_TOKEN_CODES = new Set(['messaging/registration-token-not-registered', 'messaging/invalid-registration-token']);
/**
 * Errors that mean "this device can never get our pushes", so its token goes. Two codes are shared with errors
 * about the message or our credentials, and only the first kind may cost the user a device, so the message
 * decides: INVALID_ARGUMENT about the registration token (not the payload), and SENDER_ID_MISMATCH (a token of
 * another Firebase project; firebase-admin maps it and PERMISSION_DENIED alike to mismatched-credential).
 */
const isTokenInvalid = (code: string, message: string) =>
  INVALID_TOKEN_CODES.has(code) ||
  (code === 'messaging/invalid-argument' && /registration token/i.test(message)) ||
  (code === 'messaging/mismatched-credential' && /senderid mismatch/i.test(message));
const RETRYABLE_CODES = new Set(['messaging/unavailable', 'messaging/internal-error', 'messaging/server-unavailable', 'messaging/quota-exceeded', 'messaging/message-rate-exceeded', 'app/network-error', 'app/network-timeout']);

/**
 * FCM through firebase-admin's messaging (sendEach). firebase-admin hard-codes fcm.googleapis.com, so tests and
 * benchmarks inject the transport at the thinnest seam: an HTTPS agent whose connections go to a local stand-in
 * (`endpointOverride`), with the SDK on its HTTP/1.1 transport (its HTTP/2 one takes no agent) and a static
 * access token. Everything above the socket — request building, batching, error mapping — is the real SDK.
 */
export async function createFcmSender(opts: {
  projectId: string;
  serviceAccountFile?: string;
  endpointOverride?: string;
  logger: Logger;
  /** FCM's resilience policy; without one (a test's bare sender), sends go straight to the SDK. */
  integration?: Integration;
}): Promise<PushSender> {
  const { initializeApp, cert, deleteApp } = await import('firebase-admin/app');
  const { getMessaging } = await import('firebase-admin/messaging');
  let httpAgent: https.Agent | undefined;
  let credential;
  if (opts.endpointOverride) {
    const target = new URL(opts.endpointOverride);
    httpAgent = new (class extends https.Agent {
      override createConnection(_options: unknown, callback?: (err: Error | null, socket: net.Socket) => void) {
        const socket = net.connect(Number(target.port), target.hostname);
        callback?.(null, socket);
        return socket;
      }
    })({ keepAlive: true, maxSockets: 64 });
    credential = { getAccessToken: async () => ({ access_token: 'stand-in-token', expires_in: 3600 }) };
  } else {
    if (!opts.serviceAccountFile) throw new Error('FCM_SERVICE_ACCOUNT_FILE is required to send push notifications');
    credential = cert(JSON.parse(readFileSync(opts.serviceAccountFile, 'utf8')) as Record<string, string>);
  }
  const app: App = initializeApp({ projectId: opts.projectId, credential, httpAgent }, `fcm-${Math.random().toString(36).slice(2)}`);
  const messaging = getMessaging(app);
  if (opts.endpointOverride) messaging.enableLegacyHttpTransport();

  const sendEach = async (messages: PushMessage[]): Promise<PushResult[]> => {
    const response = await messaging.sendEach(
        messages.map((m) => ({ token: m.token, notification: { title: m.title, body: m.body }, data: m.data, webpush: { fcmOptions: {} } })),
      );
      return response.responses.map((r, i): PushResult => {
        const token = messages[i]!.token;
        if (r.success) return { token, ok: true };
        const code = r.error?.code ?? 'unknown';
        const message = r.error?.message ?? '';
        const retryAfter = keepsRetryAfter ? retryAfterMs((r.error as { [RETRY_AFTER]?: string } | undefined)?.[RETRY_AFTER]) : null;
        return { token, ok: false, code, message, tokenInvalid: isTokenInvalid(code, message), retryable: RETRYABLE_CODES.has(code), retryAfterMs: retryAfter };
      });
  };
  // FCM's span in the push job's trace: firebase-admin sends over HTTP/2, which the http instrumentation does not see.
  const send = !tracingEnabled()
    ? sendEach
    : (messages: PushMessage[]) =>
        inSpan('fcm send', { kind: SpanKind.CLIENT, attributes: { 'messaging.system': 'fcm', 'messaging.operation.name': 'send', 'messaging.batch.message_count': messages.length, 'server.address': 'fcm.googleapis.com' } }, async (span) => {
          const results = await sendEach(messages);
          span.setAttribute('fcm.failed', results.filter((r) => !r.ok).length);
          return results;
        });

  return {
    async sendEach(messages) {
      if (messages.length === 0) return [];
      const integration = opts.integration;
      if (!integration) return send(messages);
      try {
        return await integration.execute(async () => {
          const results = await send(messages);
          // Every send failed for FCM's sake (5xx, network; a 429 is FCM working as asked): the breaker counts it.
          if (results.every((r) => !r.ok && r.retryable && r.code !== 'messaging/message-rate-exceeded')) {
            const first = results[0] as Extract<PushResult, { ok: false }>;
            throw new ServiceUnavailableError('fcm', `FCM unavailable (${first.code}: ${first.message})`, results);
          }
          return results;
        });
      } catch (error) {
        // The policy's retries are spent: the last answer goes back to the caller, which decides what to do.
        if (error instanceof ServiceUnavailableError && Array.isArray(error.detail)) return error.detail as PushResult[];
        throw error;
      }
    },
    availability() {
      const status = opts.integration?.status();
      return { down: status !== undefined && status.state !== 'closed', retryAt: opts.integration?.retryAt() ?? new Date() };
    },
    async close() {
      await deleteApp(app);
      httpAgent?.destroy();
    },
  };
}
