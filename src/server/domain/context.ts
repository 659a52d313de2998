import type { Job } from 'bullmq';
import type { Principal } from './principal';
import type { Database } from '../db/client';
import type { CommittedEvent } from '../events/consumer';
import type { EventMetadata } from '../events/outbox';
import type { Logger } from '../logger';
import type { Services } from '../services';

/** Who is acting: a user through a session, a script through an API token, or the system. */
export type Actor = { type: 'user' | 'token' | 'system' | 'anonymous'; userId: string | null; orgId: string | null; requestId?: string; ip?: string | null };

/**
 * Everything a domain service needs for one call, built the same way by the tRPC middleware, by the workers and
 * by scripts: services take it first. Authorization comes from `principal`; the org of every query comes from it
 * too, never from input.
 */
export type DomainContext = {
  services: Services;
  db: Database;
  /** The signed-in caller; null for the system (workers, scripts) and for signed-out calls such as login. */
  principal: Principal | null;
  actor: Actor;
  requestId: string;
  logger: Logger;
  /** The read-your-writes effects of events this call committed (cache invalidation, live fan-out), run here. */
  afterCommit: (events: CommittedEvent[]) => Promise<void>;
};

/** A call made by a signed-in user or API token. */
export type SignedInContext = DomainContext & { principal: Principal };

export type AfterCommit = DomainContext['afterCommit'];

const actorOf = (principal: Principal | null, requestId: string, ip: string | null): Actor =>
  principal
    ? { type: principal.kind === 'token' ? 'token' : 'user', userId: principal.userId, orgId: principal.orgId, requestId, ip }
    : { type: 'anonymous', userId: null, orgId: null, requestId, ip };

/** A call from the outside: signed in (`principal`) or not. */
export function requestContext(
  services: Services,
  opts: { principal: Principal | null; requestId: string; ip: string | null; logger: Logger; afterCommit: AfterCommit },
): DomainContext {
  return { services, db: services.db, principal: opts.principal, actor: actorOf(opts.principal, opts.requestId, opts.ip), requestId: opts.requestId, logger: opts.logger, afterCommit: opts.afterCommit };
}

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
