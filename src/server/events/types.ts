import { z } from 'zod';

/**
 * Domain events, defined once for producers and consumers. The names of the seed's events are fixed by the
 * architecture brief; the others follow the same `<aggregate>.<fact>` form.
 */
const uuid = z.uuid();

export const eventPayloads = {
  'product.created': z.object({ productId: uuid, ean: z.string(), name: z.string(), hasImage: z.boolean() }),
  /** `previousEan`: when the EAN itself changed (its old lookup must go too). */
  'product.updated': z.object({ productId: uuid, ean: z.string(), previousEan: z.string().optional(), changed: z.array(z.string()) }),
  'product.deleted': z.object({ productId: uuid, ean: z.string() }),
  'purchaseRequest.created': z.object({
    requestId: uuid,
    storeId: uuid,
    createdBy: uuid,
    totalValue: z.number(),
    itemCount: z.number().int(),
    buyerIds: z.array(uuid),
    /** Events written before human numbers (migration 0009) have none. */
    requestNumber: z.string().optional(),
  }),
  'purchaseRequest.itemDecided': z.object({
    requestId: uuid,
    itemId: uuid,
    storeId: uuid,
    requesterId: uuid,
    buyerId: uuid,
    decision: z.enum(['approved', 'rejected']),
    quantity: z.number(),
    approvedQuantity: z.number().nullable(),
    value: z.number(),
    reason: z.string().nullable(),
    /** Absent from events written before migration 0009. */
    requestNumber: z.string().optional(),
    productName: z.string().optional(),
  }),
  'purchaseRequest.completed': z.object({
    requestId: uuid,
    storeId: uuid,
    status: z.enum(['approved', 'partially_approved', 'rejected']),
    approvedItems: z.number().int(),
    rejectedItems: z.number().int(),
  }),
  'purchaseRequest.closed': z.object({ requestId: uuid, storeId: uuid, previousStatus: z.string() }),
  'inventory.opened': z.object({ sessionId: uuid, storeId: uuid }),
  'inventory.finalized': z.object({ sessionId: uuid, storeId: uuid, lines: z.number().int(), varianceValue: z.number() }),
  'inventory.cancelled': z.object({ sessionId: uuid, storeId: uuid }),
  /** People newly assigned to count (not whoever assigned them): each is notified. */
  'inventory.assigned': z.object({ sessionId: uuid, storeId: uuid, storeName: z.string(), userIds: z.array(uuid) }),
  /** The scheduler made tasks, or a template switched off cancelled its open ones (per template). */
  'compliance.tasksChanged': z.object({ templateId: uuid, storeIds: z.array(uuid), created: z.number().int(), cancelled: z.number().int() }),
  /** A store sent a task's photos: the automatic check follows. */
  'compliance.submitted': z.object({ taskId: uuid, storeId: uuid, submissionId: uuid, photos: z.number().int() }),
  /** The check could not judge (Vision off or unavailable) or the template asks for a person. */
  'compliance.reviewRequired': z.object({ taskId: uuid, storeId: uuid, submissionId: uuid, title: z.string(), reason: z.string() }),
  /**
   * A verdict, by Vision or by a person (`by`): `passed` or `failed` (with what was missing). `onTime`: the photos
   * arrived before the task was due. One submission has one verdict per judge: Vision's `failed` waits for a manager,
   * whose decision follows as a second event with `by: 'review'` (approved: `passed`; rejected: `failed`, and the
   * task goes back to the store). A reader that wants the submission's outcome takes its last event; the dashboard
   * reads the tasks' own state, and notifications only Vision's failures (rules.ts).
   */
  'compliance.completed': z.object({
    taskId: uuid,
    storeId: uuid,
    submissionId: uuid,
    title: z.string(),
    verdict: z.enum(['passed', 'failed']),
    by: z.enum(['vision', 'review']),
    onTime: z.boolean(),
    missing: z.array(z.string()),
  }),
  /** A reviewer rejected the photos: the task is open again for the store, with the comment; its clerks are told. */
  'compliance.returned': z.object({ taskId: uuid, storeId: uuid, submissionId: uuid, title: z.string(), comment: z.string(), clerkIds: z.array(uuid) }),
  /** `reason`: why it waits in review (absent when approved, and from events before migration 0013). */
  /** A manager's correction or loss of one product's stock in a store (`quantity`: what it added, signed). */
  'stock.adjusted': z.object({ operationId: uuid, storeId: uuid, productId: uuid, kind: z.enum(['manual_adjustment', 'loss']), quantity: z.number(), balanceAfter: z.number() }),
  /** A delivery started being received at a store (a receipt opened on a tablet). */
  'receiving.opened': z.object({ receiptId: uuid, storeId: uuid }),
  /** A receipt closed: what it filled of the store's request items, what came beyond them, the codes kept aside. */
  'stock.received': z.object({
    receiptId: uuid,
    storeId: uuid,
    products: z.number().int(),
    items: z.array(z.object({ itemId: uuid, requestId: uuid, requestNumber: z.string(), productId: uuid, requestedBy: uuid, buyerId: uuid.nullable(), approved: z.number(), received: z.number() })),
    /** `buyerId`: the product's buyer, told of what came beyond the requests (absent in events before it was added). */
    excess: z.array(z.object({ productId: uuid, quantity: z.number(), buyerId: uuid.nullable().optional() })),
    unknownEans: z.array(z.string()),
  }),
  'stock.transferred': z.object({ operationId: uuid, fromStoreId: uuid, toStoreId: uuid, productId: uuid, quantity: z.number() }),
  'image.processed': z.object({ productId: uuid, status: z.string(), score: z.number().nullable(), reason: z.string().optional() }),
  'notification.sent': z.object({ notificationId: uuid, userId: uuid, devices: z.number().int() }),
  /** `changed`: the fields that changed (role, active, stores, password, name). */
  'user.created': z.object({ userId: uuid }),
  'user.updated': z.object({ userId: uuid, changed: z.array(z.string()) }),
  'store.created': z.object({ storeId: uuid }),
  'store.updated': z.object({ storeId: uuid, changed: z.array(z.string()) }),
  'apiToken.revoked': z.object({ tokenId: uuid, userId: uuid }),
  /** An admin's choice for a feature flag (`enabled` null: the choice removed, the default applies again). */
  'featureFlag.changed': z.object({ flag: z.string(), storeId: uuid.nullable(), enabled: z.boolean().nullable() }),
} as const;

/**
 * Announcements: facts that open screens want at once and nothing needs later (a device synced its counts, who
 * counts changed). They are never written to the outbox nor queued: only the read-your-writes effects of the
 * process that made them see them (src/server/domain/transaction.ts).
 */
export const announcementPayloads = {
  'inventory.progressed': z.object({ sessionId: uuid, storeId: uuid }),
} as const;

export type EventType = keyof typeof eventPayloads;
export type AnnouncementType = keyof typeof announcementPayloads;
export type DomainEventType = EventType | AnnouncementType;
export const eventTypes = Object.keys(eventPayloads) as EventType[];
export const isAnnouncement = (type: DomainEventType): type is AnnouncementType => type in announcementPayloads;

type Schemas = typeof eventPayloads & typeof announcementPayloads;
export type EventPayload<T extends DomainEventType> = z.infer<Schemas[T]>;

const aggregateOf: Record<EventType, string> = {
  'product.created': 'product',
  'product.updated': 'product',
  'product.deleted': 'product',
  'purchaseRequest.created': 'purchaseRequest',
  'purchaseRequest.itemDecided': 'purchaseRequest',
  'purchaseRequest.completed': 'purchaseRequest',
  'purchaseRequest.closed': 'purchaseRequest',
  'inventory.opened': 'inventorySession',
  'inventory.finalized': 'inventorySession',
  'inventory.cancelled': 'inventorySession',
  'inventory.assigned': 'inventorySession',
  'compliance.tasksChanged': 'complianceTemplate',
  'compliance.submitted': 'complianceTask',
  'compliance.reviewRequired': 'complianceTask',
  'compliance.completed': 'complianceTask',
  'compliance.returned': 'complianceTask',
  // An operation is its own aggregate: operations on one store run side by side (their rows lock per product).
  'stock.adjusted': 'stockOperation',
  'stock.transferred': 'stockOperation',
  'stock.received': 'receipt',
  'receiving.opened': 'receipt',
  'image.processed': 'product',
  'notification.sent': 'notification',
  'user.created': 'user',
  'user.updated': 'user',
  'store.created': 'store',
  'store.updated': 'store',
  'apiToken.revoked': 'apiToken',
  'featureFlag.changed': 'featureFlag',
};
export const aggregateTypeOf = (type: EventType) => aggregateOf[type];

/** An event as a producer makes it; a union by type, so a check of `type` gives a typed payload. */
export type DomainEvent<T extends DomainEventType = DomainEventType> = {
  [K in T]: { type: K; orgId: string | null; aggregateId: string; payload: EventPayload<K> };
}[T];
/** A durable event (outbox). */
export type NewEvent<T extends EventType = EventType> = DomainEvent<T>;
