import { createHash } from 'node:crypto';
import type { DefaultJobOptions } from 'bullmq';
import { z } from 'zod';

/** Every queue of the system, its job payload (validated by producers and processors alike) and its options. */
export const queueNames = {
  domainEvents: 'domain-events',
  fcm: 'fcm-notifications',
  images: 'image-processing',
  complianceChecks: 'compliance-checks',
} as const;
export type QueueName = (typeof queueNames)[keyof typeof queueNames];

/**
 * The relay's batches (`jobOf.events`): on BullMQ's PostgreSQL backend, 25 events a job by default
 * (RELAY_EVENTS_PER_JOB); the schema takes up to MAX_EVENTS_PER_JOB, so a later, lower setting still reads what
 * an earlier one queued.
 */
export const EVENTS_PER_JOB = 25;
export const MAX_EVENTS_PER_JOB = 100;

export const jobPayloads = {
  /**
   * One event (`consumer`: a replay aimed at one consumer only), or several of one org in id order: what the relay
   * found waiting, in one job instead of one each (`jobOf.events`).
   */
  [queueNames.domainEvents]: z.union([
    z.object({ eventId: z.number().int().positive(), orgId: z.uuid().nullable(), consumer: z.string().optional() }),
    z.object({ eventIds: z.array(z.number().int().positive()).min(2).max(MAX_EVENTS_PER_JOB), orgId: z.uuid().nullable() }),
  ]),
  [queueNames.fcm]: z.object({ notificationId: z.uuid(), orgId: z.uuid() }),
  /** `looked`, `off`, `pendingKey`, `candidateKey`: the steps a run did before it waited for a service (images/service.ts). */
  [queueNames.images]: z.object({
    productId: z.uuid(),
    orgId: z.uuid(),
    ean: z.string().regex(/^\d{8,14}$/),
    looked: z.boolean().optional(),
    off: z.object({ imageUrl: z.string().nullable(), quantity: z.string().nullable() }).nullable().optional(),
    pendingKey: z.string().regex(/^[a-z0-9/-]+$/).optional(),
    candidateKey: z.string().regex(/^[a-z0-9/-]+$/).optional(),
  }),
  [queueNames.complianceChecks]: z.object({ submissionId: z.uuid(), orgId: z.uuid() }),
} satisfies Record<QueueName, z.ZodType>;
export type JobPayload<Q extends QueueName> = z.infer<(typeof jobPayloads)[Q]>;

/**
 * The jobs that carry an event or a push, under ids that make an enqueue idempotent: the outbox relay, the
 * redelivery sweep and the push consumer may queue the same event or notification more than once, and BullMQ
 * keeps one job per id. An event's `trace` (its outbox row's trace context) goes to BullMQ's telemetry, so the
 * job's processing continues it.
 */
const eventJob = (e: { id: number | string; type: string; orgId: string | null; trace?: { traceparent: string } | null }) => ({
  name: e.type,
  data: { eventId: Number(e.id), orgId: e.orgId } satisfies JobPayload<typeof queueNames.domainEvents>,
  opts: { jobId: `event-${e.id}`, ...(e.trace ? { telemetry: { metadata: JSON.stringify(e.trace) } } : {}) },
});

export const jobOf = {
  /** One event. */
  event: eventJob,
  /**
   * The jobs for events the relay publishes together: each org's in id order, up to `perJob` a job (1: one job
   * each, as before batches). A job's fixed cost (its add, claim and finish: on BullMQ's PostgreSQL backend, most of
   * the database's work per event) is paid once for the lot; one event alone gets the usual `event-<id>` job. The
   * id names exactly these events: the same batch published again (a commit lost after the enqueue, and the same
   * rows taken together again) is a no-op, a batch made differently is another job (consumers apply an event
   * once; its `after` hooks run again). A batch carries the trace of its first event that has one: its events'
   * work shows in that request's trace.
   */
  events: (rows: { id: number; type: string; orgId: string | null; trace?: { traceparent: string } | null }[], perJob = EVENTS_PER_JOB) => {
    if (perJob <= 1) return rows.map(eventJob);
    const byOrg = new Map<string | null, typeof rows>();
    for (const row of rows) byOrg.set(row.orgId, [...(byOrg.get(row.orgId) ?? []), row]);
    return [...byOrg.values()].flatMap((ofOrg) => {
      const sorted = [...ofOrg].sort((a, b) => a.id - b.id);
      return Array.from({ length: Math.ceil(sorted.length / perJob) }, (_, i) => sorted.slice(i * perJob, (i + 1) * perJob)).map((chunk) => {
        if (chunk.length === 1) return eventJob(chunk[0]!);
        const eventIds = chunk.map((e) => e.id);
        const trace = chunk.find((e) => e.trace)?.trace;
        return {
          name: 'events',
          data: { eventIds, orgId: chunk[0]!.orgId } satisfies JobPayload<typeof queueNames.domainEvents>,
          opts: { jobId: `events-${eventIds[0]}-${createHash('sha1').update(eventIds.join(',')).digest('hex').slice(0, 16)}`, ...(trace ? { telemetry: { metadata: JSON.stringify(trace) } } : {}) },
        };
      });
    });
  },
  push: (n: { id: string; orgId: string }) => ({
    name: 'push',
    data: { notificationId: n.id, orgId: n.orgId } satisfies JobPayload<typeof queueNames.fcm>,
    opts: { jobId: `push-${n.id}` },
  }),
};

/** The seed's Sprint 3: 3 attempts, exponential backoff, bounded history; a timeout per job (enforced by the processor). */
export const queueOptions: Record<QueueName, { job: DefaultJobOptions; concurrency: number; timeoutMs: number }> = {
  [queueNames.domainEvents]: {
    job: { attempts: 3, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: { count: 2000, age: 3600 }, removeOnFail: { count: 10_000 } },
    concurrency: 16,
    timeoutMs: 15_000,
  },
  [queueNames.fcm]: {
    job: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { count: 2000, age: 3600 }, removeOnFail: { count: 10_000 } },
    concurrency: 32,
    // Longer than firebase-admin can take on its own (5 tries of at most 15 s, 4 waits of at most 60 s on 503s):
    // the timeout does not stop the SDK, so a shorter one would let our retry send while the first try still might.
    timeoutMs: 330_000,
  },
  [queueNames.images]: {
    job: { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { count: 1000, age: 24 * 3600 }, removeOnFail: { count: 5000 } },
    // Overridden by IMAGE_CONCURRENCY (the pipeline waits on I/O: OFF, a download, OpenAI).
    concurrency: 16,
    // Above the slowest run the policies allow with their defaults (OFF 3 × 10 s, the download 15 s, storage 3 × 10 s,
    // OpenAI 3 × 30 s, plus backoffs ≈ 3 min): a slow service makes the job wait, never time out into a dead letter.
    timeoutMs: 300_000,
  },
  [queueNames.complianceChecks]: {
    // Vision down is not a failure (the submission goes to a person); attempts are for storage and PostgreSQL.
    job: { attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: { count: 2000, age: 24 * 3600 }, removeOnFail: { count: 5000 } },
    // A check waits on Vision (~0.3-2 s a batch): many at once, so a chain's opening burst is judged in seconds.
    concurrency: 32,
    // Above Vision's policy (3 × 15 s plus backoffs) and storage's (3 × 10 s): a slow service, not a timeout.
    timeoutMs: 120_000,
  },
};
