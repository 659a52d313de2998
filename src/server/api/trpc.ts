import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { ZodError, z } from 'zod';
import { problemOfIssue } from '~/lib/problems';
import { resolveCaller, type Credentials } from '../auth/authenticate';
import type { Principal } from '../domain/principal';
import type { UserRole } from '../db/schema';
import { memberOf, operatorContext, requestContext, type SignedInContext } from '../domain/context';
import { AppError, pgErrorCode, toTRPCError } from '../errors';
import { commitEffects } from '../runtime/consumers';
import type { Services } from '../services';
import { cacheFamilyTag, procedureCacheKey, type CacheFamily } from './middleware/cache';
import { assertStorableInput } from './middleware/input-guard';
import { enforceRateLimit } from './middleware/ratelimit';
import { isClientMistake, logProcedureResult, recordProcedureResult } from './middleware/request-log';
import { tracedCall } from './middleware/trace';
import { reportError } from '../telemetry/report';
import { tracingEnabled } from '../telemetry/spans';

export type ContextOptions = {
  services: Services;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  credentials: Credentials;
  /** Whether the request reached us over TLS (cookies then get `Secure`). */
  secure: boolean;
  setHeader: (name: string, value: string) => void;
};

/**
 * `caller` is whoever signed in; `principal` is that caller when a member of an organization (what every
 * org-scoped procedure works with), `operator` when the platform operator. Never both.
 */
export async function createContext(opts: ContextOptions) {
  const { caller, credentialError } = await resolveCaller(opts.services, opts.credentials);
  const principal = memberOf(caller);
  const operator = caller?.kind === 'operator' ? caller : null;
  const logger = opts.services.logger.child({ requestId: opts.requestId, userId: principal?.userId, orgId: principal?.orgId, operatorId: operator?.operatorId });
  const domain = requestContext(opts.services, { caller, requestId: opts.requestId, ip: opts.ip, logger, afterCommit: commitEffects(opts.services) });
  return { ...opts, caller, principal, operator, credentialError, logger, domain };
}
export type Context = Awaited<ReturnType<typeof createContext>>;

export type ProcedureMeta = {
  /** Roles allowed to call; absent on public and on any-signed-in procedures. */
  roles?: readonly UserRole[];
  /** The platform operator's procedures (no org member may call them). */
  operator?: boolean;
  /** Callable while signed in with a temporary password (the way out of it: who am I, choose a password). */
  duringPasswordChange?: boolean;
  /**
   * Answered from a cache: a GET naming only such queries takes the server's cached-read door
   * (src/server/http/cached-reads.ts), which writes the answer's prepared bytes, ETag and compressed copy.
   */
  cachedRead?: boolean;
};

/**
 * superjson, except that input nested deep enough to overflow its (recursive) reader is refused as such: a
 * 50,000-deep array must say what is wrong with it, not that a stack overflowed.
 */
const transformer = {
  input: {
    serialize: (value: unknown) => superjson.serialize(value),
    deserialize: (value: unknown) => {
      try {
        return superjson.deserialize(value as Parameters<typeof superjson.deserialize>[0]);
      } catch (error) {
        if (error instanceof RangeError) throw new AppError('INVALID', 'too_deeply_nested', 'Input is nested too deeply');
        throw error;
      }
    },
  },
  output: superjson,
};

/** Refusals tRPC makes itself, before any procedure: their reasons. */
const GENERIC_REASONS: Partial<Record<string, string>> = { PAYLOAD_TOO_LARGE: 'payload_too_large', PARSE_ERROR: 'unreadable_input', METHOD_NOT_SUPPORTED: 'method_not_supported' };

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer,
    // Subscriptions over SSE: a ping keeps proxies from closing idle streams; the client reconnects after silence.
    sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
    errorFormatter({ shape, error }) {
      const internal = error.code === 'INTERNAL_SERVER_ERROR';
      const appError = error.cause instanceof AppError ? error.cause : null;
      return {
        ...shape,
        // Never leak SQL or stack traces: a 500 says only that it happened and which request to look up.
        message: internal ? 'Internal server error' : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          /** Stable and machine-readable: what the client turns into Portuguese and scripts branch on. */
          reason: appError?.reason ?? (error.cause instanceof ZodError ? 'invalid_input' : (GENERIC_REASONS[shape.data.code] ?? null)),
          zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
          /** Each refused input value with its reason and limits (the client's field messages come from these). */
          issues: error.cause instanceof ZodError ? error.cause.issues.map(problemOfIssue) : null,
          // The reason is in details too for clients built when it lived there: a tablet keeps its cached bundle.
          details: appError ? { reason: appError.reason, ...appError.data } : null,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** One log line per call (errors once, with their cause); domain AppErrors mapped to their tRPC code once. */
const logAndMapErrors = t.middleware(async ({ ctx, path, type, next }) => {
  const started = performance.now();
  let result = await next();
  if (!result.ok && result.error.cause instanceof AppError) result = { ...result, error: toTRPCError(result.error.cause) };
  // PostgreSQL's data exceptions (class 22) are the caller's input: within every field's limits, a product of them
  // (quantity × price) can still exceed a column. A 400 that says so, never a 500.
  else if (!result.ok && pgErrorCode(result.error.cause)?.startsWith('22')) {
    const error =
      pgErrorCode(result.error.cause) === '22003'
        ? new AppError('INVALID', 'value_too_large', 'A value is too large to store: use smaller quantities or prices')
        : new AppError('INVALID', 'value_not_storable', 'A value cannot be stored as given (a date out of range, a character not allowed)');
    result = { ...result, error: toTRPCError(error) };
  }
  const durationMs = performance.now() - started;
  logProcedureResult(ctx.logger, { path, type, durationMs, error: result.ok ? null : result.error });
  recordProcedureResult(ctx.services, { path, type, durationMs, error: result.ok ? null : result.error });
  if (!result.ok && !isClientMistake(result.error.code)) {
    reportError(result.error.cause ?? result.error, { requestId: ctx.requestId, orgId: ctx.principal?.orgId, userId: ctx.principal?.userId, procedure: path, code: result.error.code });
  }
  return result;
});

/** A span per call when tracing is on (middleware/trace.ts); off, the chain has no such step. */
const traceCall = t.middleware(({ path, type, next }) => tracedCall({ path, type }, next));
const procedure = tracingEnabled() ? t.procedure.use(traceCall) : t.procedure;

/** Input no procedure may store is refused before any schema, cache or query sees it. */
const guardInput = t.middleware(async ({ getRawInput, next }) => {
  assertStorableInput(await getRawInput());
  return next();
});

const rateLimit = t.middleware(async ({ ctx, next }) => {
  await enforceRateLimit({ rateLimiter: ctx.services.rateLimiter, caller: ctx.caller, ip: ctx.ip, setHeader: ctx.setHeader });
  return next();
});

/** Rate limited per user, token or operator when signed in, per IP otherwise. */
export const publicProcedure = procedure.use(logAndMapErrors).use(rateLimit).use(guardInput);

const signedOut = (ctx: Context) => new AppError('UNAUTHORIZED', 'signed_out', ctx.credentialError ?? 'Sign in to continue (session missing or expired)');

/**
 * A member of an organization: the ground of every org-scoped procedure. The platform operator is refused here,
 * and could not get further anyway: it is no `Principal`, so no org-scoped service takes it.
 */
export const authedProcedure = publicProcedure.use(({ ctx, meta, next }) => {
  if (ctx.operator) {
    throw new AppError('FORBIDDEN', 'operator_outside_orgs', 'The platform operator belongs to no organization; this works on one');
  }
  if (!ctx.principal) throw signedOut(ctx);
  const principal: Principal = ctx.principal;
  if (principal.mustChangePassword && !meta?.duringPasswordChange) {
    throw new AppError('FORBIDDEN', 'password_change_required', 'You signed in with a temporary password: choose your own password first (auth.changePassword)');
  }
  const domain: SignedInContext = { ...ctx.domain, principal };
  return next({ ctx: { principal, domain } });
});

/** Anyone signed in, a member or the platform operator: only what concerns the caller's own credential (logout). */
export const signedInProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.caller) throw signedOut(ctx);
  return next({ ctx: { caller: ctx.caller } });
});

/** The platform operator only: what every organization shares (queues, system dead letters, process figures). */
export const operatorProcedure = publicProcedure.meta({ operator: true }).use(({ ctx, next }) => {
  if (!ctx.operator) {
    if (ctx.principal) throw new AppError('FORBIDDEN', 'operator_only', 'Only the platform operator may do this');
    throw signedOut(ctx);
  }
  return next({ ctx: { operator: ctx.operator, domain: operatorContext(ctx.domain, ctx.operator) } });
});

/** Signed in with one of these roles; anyone else gets FORBIDDEN. The roles live in meta so tests can enumerate them. */
export function roleProcedure(...roles: UserRole[]) {
  return authedProcedure.meta({ roles }).use(({ ctx, next }) => {
    if (!roles.includes(ctx.principal.role)) {
      throw new AppError('FORBIDDEN', 'role_required', `This action needs one of the roles: ${roles.join(', ')}`, { roles });
    }
    return next();
  });
}

export const adminProcedure = roleProcedure('admin');

/** Marks a query answered from a cache (ProcedureMeta.cachedRead); every `cachedQuery` user has it. */
export const CACHED_READ = { cachedRead: true } as const satisfies ProcedureMeta;

/**
 * Cache-aside for read procedures, used after `.input()`: the key holds the procedure, the validated input and the
 * caller's authorization scope (org, role, stores); the family names the tag whose invalidation drops it (every
 * change to that family's rows drops the org's tag through its domain's consumer).
 */
export function cachedQuery(family: CacheFamily, opts: { ttlSeconds: number }) {
  return t.middleware(async ({ ctx, path, input, next }) => {
    if (!ctx.principal) return next();
    const key = procedureCacheKey(path, ctx.principal, input);
    const hit = await ctx.services.cache.get<{ data: unknown }>(key);
    if (hit) return { ok: true, data: hit.data, marker: undefined } as unknown as Awaited<ReturnType<typeof next>>;
    const result = await next();
    if (result.ok) await ctx.services.cache.set(key, { data: result.data }, { ttlSeconds: opts.ttlSeconds, tags: [cacheFamilyTag(family, ctx.principal.orgId)] });
    return result;
  });
}
