import http from 'node:http';

export type Delivery = { token: string; notificationId: string | null; at: number };
export type SendRequest = Delivery & { status: number };
/** How the stand-in fails one token's sends: FCM's answers for a server error, wrong credentials, a rejected message, a bad token. */
export type TokenFailure = 'internal' | 'sender-id-mismatch' | 'permission-denied' | 'invalid-payload' | 'invalid-token';

/**
 * A local stand-in of FCM's HTTP v1 send endpoint (POST /v1/projects/<id>/messages:send), which the real
 * firebase-admin SDK talks to through the sender's injected transport. On command it fails, delays, rate-limits
 * (429 + Retry-After) or reports tokens as unregistered, and it counts every delivery to spot duplicates.
 */
export async function startFcmStandIn() {
  const deliveries: Delivery[] = [];
  let failuresLeft = 0;
  let failureStatus = 500;
  let failAlways = false;
  let rateLimitLeft = 0;
  let retryAfterSeconds = 1;
  let delayMs = 0;
  const unregistered = new Set<string>();
  const tokenFailures = new Map<string, { kind: TokenFailure; left: number }>();
  const log: SendRequest[] = [];
  let requests = 0;

  const reply = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const fcmError = (code: number, status: string, errorCode: string, message: string) => ({
    error: { code, message, status, details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] },
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      requests++;
      if (!/^\/v1\/projects\/[^/]+\/messages:send$/.test(req.url ?? '')) return reply(res, 404, { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } });
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const { message } = JSON.parse(Buffer.concat(chunks).toString()) as { message: { token: string; data?: Record<string, string> } };
      const sent = { token: message.token, notificationId: message.data?.notificationId ?? null, at: Date.now() };
      res.on('finish', () => log.push({ ...sent, status: res.statusCode }));
      const tokenFailure = tokenFailures.get(message.token);
      if (tokenFailure && tokenFailure.left > 0) {
        tokenFailure.left--;
        switch (tokenFailure.kind) {
          case 'internal':
            return reply(res, 500, fcmError(500, 'INTERNAL', 'INTERNAL', 'internal error'));
          case 'sender-id-mismatch':
            return reply(res, 403, fcmError(403, 'PERMISSION_DENIED', 'SENDER_ID_MISMATCH', 'SenderId mismatch'));
          case 'permission-denied':
            return reply(res, 403, { error: { code: 403, message: "Permission 'cloudmessaging.messages.create' denied on resource", status: 'PERMISSION_DENIED' } });
          case 'invalid-payload':
            return reply(res, 400, fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'Request contains an invalid argument.'));
          case 'invalid-token':
            return reply(res, 400, fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token'));
        }
      }
      if (rateLimitLeft > 0) {
        rateLimitLeft--;
        return reply(res, 429, fcmError(429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED', 'quota exceeded'), { 'retry-after': String(retryAfterSeconds) });
      }
      if (failAlways || failuresLeft > 0) {
        if (failuresLeft > 0) failuresLeft--;
        return failureStatus === 503
          ? reply(res, 503, fcmError(503, 'UNAVAILABLE', 'UNAVAILABLE', 'service unavailable'), { 'retry-after': '0' })
          : reply(res, 500, fcmError(500, 'INTERNAL', 'INTERNAL', 'internal error'));
      }
      if (unregistered.has(message.token)) return reply(res, 404, fcmError(404, 'NOT_FOUND', 'UNREGISTERED', 'Requested entity was not found.'));
      deliveries.push(sent);
      reply(res, 200, { name: `projects/stand-in/messages/${deliveries.length}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    requests: () => requests,
    /** Every send request that got an answer, with its HTTP status, in order. */
    log,
    /** The next n sends fail: 500 INTERNAL (the SDK gives up, our job retries) or 503 (the SDK retries by itself first). */
    failNext(n: number, status: 500 | 503 = 500) {
      failuresLeft = n;
      failureStatus = status;
    },
    setFailAlways(on: boolean) {
      failAlways = on;
      failureStatus = 500;
    },
    rateLimitNext(n: number, retryAfter = 1) {
      rateLimitLeft = n;
      retryAfterSeconds = retryAfter;
    },
    setDelay(ms: number) {
      delayMs = ms;
    },
    unregister(token: string) {
      unregistered.add(token);
    },
    /** The next `times` sends to `token` fail as `kind` (every one: Infinity). */
    failToken(token: string, kind: TokenFailure, times = Infinity) {
      tokenFailures.set(token, { kind, left: times });
    },
    /** Notification ids delivered more than once to the same device. */
    duplicates() {
      const seen = new Map<string, number>();
      for (const d of deliveries) if (d.notificationId) seen.set(`${d.notificationId} ${d.token}`, (seen.get(`${d.notificationId} ${d.token}`) ?? 0) + 1);
      return [...new Set([...seen].filter(([, n]) => n > 1).map(([key]) => key.split(' ')[0]!))];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
