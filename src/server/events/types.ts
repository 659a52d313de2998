import { z } from 'zod';

/** Domain events: names fixed by the architecture brief; payloads defined once, for producers and consumers. */
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
  }),
  'purchaseRequest.completed': z.object({
    requestId: uuid,
    storeId: uuid,
    status: z.enum(['approved', 'partially_approved', 'rejected']),
    approvedItems: z.number().int(),
    rejectedItems: z.number().int(),
  }),
  'inventory.finalized': z.object({ sessionId: uuid, storeId: uuid, lines: z.number().int(), varianceValue: z.number() }),
  'compliance.completed': z.object({ taskId: uuid, storeId: uuid, submissionId: uuid }),
  'image.processed': z.object({ productId: uuid, status: z.string(), score: z.number().nullable() }),
  'notification.sent': z.object({ notificationId: uuid, userId: uuid, devices: z.number().int() }),
} as const;

export type EventType = keyof typeof eventPayloads;
export const eventTypes = Object.keys(eventPayloads) as EventType[];
export type EventPayload<T extends EventType> = z.infer<(typeof eventPayloads)[T]>;

const aggregateOf: Record<EventType, string> = {
  'product.created': 'product',
  'product.updated': 'product',
  'product.deleted': 'product',
  'purchaseRequest.created': 'purchaseRequest',
  'purchaseRequest.itemDecided': 'purchaseRequest',
  'purchaseRequest.completed': 'purchaseRequest',
  'inventory.finalized': 'inventorySession',
  'compliance.completed': 'complianceTask',
  'image.processed': 'product',
  'notification.sent': 'notification',
};
export const aggregateTypeOf = (type: EventType) => aggregateOf[type];

export type NewEvent<T extends EventType = EventType> = {
  type: T;
  orgId: string | null;
  aggregateId: string;
  payload: EventPayload<T>;
};
