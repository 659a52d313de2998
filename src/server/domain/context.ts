import type { Job } from 'bullmq';
import type { Caller, OperatorPrincipal, Principal } from './principal';
import type { Database } from '../db/client';
import type { CommittedEvent } from '../events/consumer';
import type { EventMetadata } from '../events/outbox';
import type { Logger } from '../logger';
import type { Services } from '../services';

/**
 * Who is acting: a user through a session, a script through an API token, the platform operator (`userId` is the
 * operator's id, `orgId` null), or the system.
 */
export type Actor = { type: 'user' | 'token' | 'operator' | 'system' | 'anonymous'; userId: string | null; orgId: string | null; requestId?: string; ip?: string | null };

/**
 * Everything a domain service needs for one call, built the same way by the tRPC middleware, by the workers and
 * by scripts: services take it first. Authorization comes from `principal`; the org of every query comes from it
 * too, never from input.
 */
export type DomainContext = {
  services: Services;
  db: Database;
  /**
   * The signed-in member of an organization; null for the system (workers, scripts), for signed-out calls such as
   * login, and for the platform operator, who belongs to no organization (see OperatorContext).
   */
  principal: Principal | null;
  actor: Actor;
  requestId: string;
  logger: Logger;
  /** The read-your-writes effects of events this call committed (cache invalidation, live fan-out), run here. */
  afterCommit: (events: CommittedEvent[]) => Promise<void>;
};

/** A call made by a signed-in user or API token of an organization. */
export type SignedInContext = DomainContext & { principal: Principal };

/**
 * A call made by the platform operator: no `principal` (no org), so it fits no org-scoped service; what it may
 * touch is what every org shares (queues, system dead letters, process figures).
 */
export type OperatorContext = DomainContext & { principal: null; operator: OperatorPrincipal };

export type AfterCommit = DomainContext['afterCommit'];

const actorOf = (caller: Caller | null, requestId: string, ip: string | null): Actor => {
  if (!caller) return { type: 'anonymous', userId: null, orgId: null, requestId, ip };
  if (caller.kind === 'operator') return { type: 'operator', userId: caller.operatorId, orgId: null, requestId, ip };
  return { type: caller.kind === 'token' ? 'token' : 'user', userId: caller.userId, orgId: caller.orgId, requestId, ip };
};

/** The org member among callers: the platform operator is never one. */
export const memberOf = (caller: Caller | null): Principal | null => (caller && caller.kind !== 'operator' ? caller : null);

/** A call from the outside: signed in (a member or the operator) or not. Only a member becomes the `principal`. */
export function requestContext(
  services: Services,
  opts: { caller: Caller | null; requestId: string; ip: string | null; logger: Logger; afterCommit: AfterCommit },
): DomainContext {
  return {
    services,
    db: services.db,
    principal: memberOf(opts.caller),
    actor: actorOf(opts.caller, opts.requestId, opts.ip),
    requestId: opts.requestId,
    logger: opts.logger,
    afterCommit: opts.afterCommit,
  };
}

/** The platform operator's call: the request's context with the operator and no principal. */
export const operatorContext = (ctx: DomainContext, operator: OperatorPrincipal): OperatorContext => ({ ...ctx, principal: null, operator });

/** Work the system does on its own (a worker's job, a script). */
export function systemContext(services: Services, opts: { requestId: string; orgId?: string | null; logger?: Logger; afterCommit: AfterCommit }): DomainContext {
  return {
    services,
    db: services.db,
    principal: null,
    actor: { type: 'system', userId: null, orgId: opts.orgId ?? null, requestId: opts.requestId },
    requestId: opts.requestId,
    logger: opts.logger ?? services.logger,
    afterCommit: opts.afterCommit,
  };
}

/** The domain context a queue job's work runs in: the system acting for the job's org. */
export type JobContext = (job: Job, orgId: string | null) => DomainContext;

/** What every event of this call records about its cause. */
export const eventMetadata = (ctx: DomainContext): EventMetadata => ({ correlationId: ctx.requestId, userId: ctx.actor.userId });
