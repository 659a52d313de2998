import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserRole } from '../db/schema';
import type { SignedInContext } from '../domain/context';
import { enforceRateLimit } from '../api/middleware/ratelimit';
import { logProcedureResult } from '../api/middleware/request-log';
import { createContext } from '../api/trpc';
import { readCookie } from '../auth/cookies';
import { SESSION_COOKIE } from '../auth/secrets';
import { AppError, toTRPCError } from '../errors';
import { ExportAborted } from '../exports/flow';
import type { Services } from '../services';
import { refusal } from './refusal';
import { sameOriginOrScript } from './request-guard';
import { bearerFrom, clientIpFrom } from './request-meta';
import { sendJson } from './respond';

/** A request body over its limit: answered 413 and the connection closed (the rest is never read). */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`Request body over ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** The caller of a plain HTTP route (not tRPC): its session cookie or bearer token, IP and user agent, resolved as tRPC's are. */
export function requestContextOf(services: Services, req: IncomingMessage, res: ServerResponse, opts: { secure: boolean; trustProxy: boolean }) {
  return createContext({
    services,
    requestId: res.getHeader('x-request-id') as string,
    ip: clientIpFrom(req.headers['x-forwarded-for'], req.socket.remoteAddress, opts.trustProxy),
    userAgent: req.headers['user-agent'] ?? null,
    credentials: { bearer: bearerFrom(req.headers.authorization), sessionSecret: readCookie(req.headers.cookie, SESSION_COOKIE) },
    secure: opts.secure,
    setHeader: (name, value) => {
      if (!res.headersSent) res.setHeader(name, value);
    },
  });
}

/** What a file route writes once the caller is let in: its type, its name and the writing itself. */
export type FileJob = { contentType: string; filename: string; write: (out: ServerResponse) => Promise<Record<string, number>> };

export type FileRequest<I> = {
  /** For the logs ("export.catalogue.csv", "labels.pdf"). */
  logPath: string;
  /** Who may ask (null: any member of the org). */
  roles: readonly UserRole[] | null;
  /** The input, read and checked (zod); may throw BodyTooLarge or an AppError. */
  input: () => Promise<I>;
  prepare: (ctx: SignedInContext, input: I) => Promise<FileJob>;
  invalidMessage: string;
  /** The writer's own limit ends a long file first (the exports' statement timeout): this is the net after it. */
  deadlineMs: number;
};

/**
 * The door and the stream of every file route (exports, shelf labels), written once: the session cookie or a
 * bearer token (401 without), the rate limit, a browser's request from this site only (403 `cross_site`), the
 * platform operator refused (no org), the roles, the input checked (400 with the reason and refused values), then
 * one of `EXPORT_MAX_CONCURRENT` slots shared by all file routes (503 `files_busy`). The answer is `no-store` (set by
 * the server), an attachment; a failure after the first byte destroys the connection (a failed download, never a
 * short file that looks whole), and a reader that stops reading is cut at the deadline.
 */
export function createFileRoute(services: Services, opts: { isSecure: (req: IncomingMessage) => boolean; trustProxy: boolean }) {
  let running = 0;
  return async function serveFile<I>(req: IncomingMessage, res: ServerResponse, request: FileRequest<I>): Promise<void> {
    const requestId = res.getHeader('x-request-id') as string;
    const started = performance.now();
    const secure = opts.isSecure(req);
    const ctx = await requestContextOf(services, req, res, { secure, trustProxy: opts.trustProxy });
    const { logPath } = request;
    const log = (error: AppError | null) => logProcedureResult(ctx.logger, { path: logPath, type: 'export', durationMs: performance.now() - started, error: error && toTRPCError(error) });
    let holdsSlot = false;
    let deadline: NodeJS.Timeout | undefined;
    let timedOut = false;
    try {
      await enforceRateLimit({ rateLimiter: services.rateLimiter, caller: ctx.caller, ip: ctx.ip, setHeader: ctx.setHeader });
      // Another site may link here, but not make a signed-in browser fetch a whole catalogue (or a PDF) for it.
      if (!sameOriginOrScript(req, { secure, publicUrl: services.env.PUBLIC_URL, trustProxy: opts.trustProxy })) {
        throw new AppError('FORBIDDEN', 'cross_site', 'Cross-site request refused: files are downloaded from this site only');
      }
      if (ctx.operator) throw new AppError('FORBIDDEN', 'operator_outside_orgs', 'The platform operator belongs to no organization; this works on one');
      if (!ctx.principal) throw new AppError('UNAUTHORIZED', 'signed_out', ctx.credentialError ?? 'Sign in to continue (session missing or expired)');
      const { principal } = ctx;
      if (request.roles && !request.roles.includes(principal.role)) {
        throw new AppError('FORBIDDEN', 'role_required', `This file needs one of the roles: ${request.roles.join(', ')}`, { roles: request.roles });
      }
      const input = await request.input();
      if (running >= services.env.EXPORT_MAX_CONCURRENT) {
        res.setHeader('Retry-After', '10');
        throw new AppError('UNAVAILABLE', 'files_busy', `${running} files are being written; try again in a few seconds`, { retryAfterSeconds: 10 });
      }
      running++;
      holdsSlot = true;
      const job = await request.prepare({ ...ctx.domain, principal }, input);
      res.setHeader('Content-Type', job.contentType);
      res.setHeader('Content-Disposition', `attachment; filename="${job.filename}"`);
      // A reader that stopped reading would hold its slot (and a connection) for ever: this ends it.
      deadline = setTimeout(() => {
        timedOut = true;
        res.destroy();
      }, request.deadlineMs);
      const figures = await job.write(res);
      log(null);
      ctx.logger.info({ path: logPath, ...figures, durationMs: Math.round(performance.now() - started) }, 'file written');
    } catch (error) {
      if (error instanceof ExportAborted) {
        const fields = { path: logPath, durationMs: Math.round(performance.now() - started) };
        if (timedOut) ctx.logger.warn(fields, 'file cut at its time limit (EXPORT_TIMEOUT_MS)');
        else ctx.logger.info(fields, 'file abandoned by its reader');
        res.destroy();
        return;
      }
      if (error instanceof BodyTooLarge) {
        res.setHeader('Connection', 'close');
        log(new AppError('INVALID', 'payload_too_large', 'Body over the limit'));
        return sendJson(res, 413, { error: error.message, reason: 'payload_too_large', requestId });
      }
      const { status, body, appError } = refusal(error, requestId, request.invalidMessage);
      if (appError) log(appError);
      else ctx.logger.error({ path: logPath, err: error }, 'file failed');
      if (res.headersSent) {
        // Part of the file is out: end the connection without the last chunk, so the download fails visibly.
        res.destroy();
        return;
      }
      res.removeHeader('Content-Type');
      res.removeHeader('Content-Disposition');
      sendJson(res, status, body);
    } finally {
      clearTimeout(deadline);
      if (holdsSlot) running--;
    }
  };
}

export type FileRoute = ReturnType<typeof createFileRoute>;
