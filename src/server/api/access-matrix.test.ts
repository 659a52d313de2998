import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsumers } from '../../../tests/helpers/events';
import { callerFor, createOperatorFixture, createOrgFixture, createTestServices, TEST_PASSWORD, type OperatorFixture, type OrgFixture } from '../../../tests/helpers/harness';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { deadLetterQueue, eventLog, products, userRoles, type UserRole } from '../db/schema';
import type { Services } from '../services';
import { photoUploadForm } from '~/lib/compliance-upload';
import { checkSubmission } from '../compliance/check';
import { systemContext } from '../domain/context';
import { appRouter } from './root';
import type { ProcedureMeta } from './trpc';
import { device } from '../../../tests/helpers/devices';

/**
 * Every procedure of the router needs an entry here (the first test fails otherwise). Each entry says who may
 * call it and gives an input that points at rows of org A; the matrix then proves that
 *  - a signed-out caller gets UNAUTHORIZED (except public procedures),
 *  - every role outside `roles` gets FORBIDDEN,
 *  - the platform operator gets FORBIDDEN from every procedure of an org (it belongs to none), and only it may
 *    call the `operator` ones: every org role, of either org, gets FORBIDDEN there,
 *  - a caller of org B with an allowed role gets NOT_FOUND for org A's ids, or (for lists) sees none of org A's rows.
 */
type Access = {
  /** 'any-signed-in': every org member; 'anyone-signed-in': the platform operator too; 'operator': the operator only. */
  roles: readonly UserRole[] | 'any-signed-in' | 'anyone-signed-in' | 'public' | 'operator';
  input: (a: OrgFixture, extra: Extra) => unknown;
  /**
   * not-found: org B's caller gets NOT_FOUND for org A's ids; listOf: org B's list holds none of org A's ids;
   * noEffect: org B's call answers without touching org A (checked by `check`); own-data: acts on the caller's own org only;
   * platform: the operator's, of no org (what it may see is proven in "system dead letters" below).
   */
  crossOrg: 'not-found' | { listOf: (result: unknown) => string[] } | { noEffect: (result: unknown) => void } | 'own-data' | 'platform';
  /** Who calls in the cross-org checks (default: the most privileged allowed role). */
  crossOrgAs?: UserRole;
};
type Extra = {
  tokenId: string;
  draftId: string;
  requestId: string;
  itemId: string;
  notificationId: string;
  deadLetterId: string;
  /** System dead letters (no org): one to retry, one to resolve. */
  systemLetterId: string;
  systemLetterToResolveId: string;
  eventId: number;
  deviceToken: string;
  importReportId: string;
  /** Org A's third product waits in photo review with this candidate photo; its second, without one. */
  photoId: string;
  /** A small JPEG, base64 (a photo taken on the tablet). */
  photo: string;
  /** Org A's compliance task (store 1), sent and waiting for review (no Vision here), and its submission. */
  taskId: string;
  submissionId: string;
  /** A second task of org A, open (to cancel and to add photos to). */
  openTaskId: string;
  /** An open receipt (delivery) of org A's store 1. */
  receiptId: string;
};

/** A fixed inventory session id per org (the org id with its last 12 hex digits replaced): a valid UUID v4. */
const inventorySessionOf = (a: OrgFixture) => `${a.org.id.slice(0, 24)}00000000a115`;
const items = (r: unknown) => (r as { items: { id: string | number }[] }).items.map((i) => String(i.id));
const inboxItems = (r: unknown) => (r as { items: { itemId: string }[] }).items.map((i) => i.itemId);

/** A daily compliance template for org A's first store (one photo, no checklist, nothing Vision must find). */
const templateOf = (a: OrgFixture) => ({
  title: 'Gôndola',
  instructions: null,
  checklist: [],
  photoCount: 1,
  expectedLabels: [],
  expectedTexts: [],
  alwaysReview: false,
  schedule: 'daily' as const,
  onceOn: null,
  weekdays: [],
  dueTime: '23:59',
  storeIds: [a.stores[0]!.id],
});

const matrix: Record<string, Access> = {
  'auth.login': { roles: 'public', input: (a) => ({ email: `clerk@${a.org.slug}.test`, password: TEST_PASSWORD }), crossOrg: 'own-data' },
  'auth.logout': { roles: 'anyone-signed-in', input: () => undefined, crossOrg: 'own-data' },
  'auth.me': { roles: 'any-signed-in', input: () => undefined, crossOrg: 'own-data' },
  'auth.changePassword': { roles: 'any-signed-in', input: () => ({ currentPassword: 'not the password', newPassword: 'x' }), crossOrg: 'own-data' },
  'admin.users.list': { roles: ['admin'], input: () => ({ limit: 50 }), crossOrg: { listOf: items } },
  'admin.users.byId': { roles: ['admin'], input: (a) => ({ id: a.users.clerk.id }), crossOrg: 'not-found' },
  'admin.users.create': {
    roles: ['admin'],
    input: (a) => ({ email: `new-${randomUUID()}@x.test`, name: 'Novo', role: 'clerk', password: 'longenough', storeIds: [a.stores[0]!.id] }),
    crossOrg: 'not-found',
  },
  'admin.users.update': { roles: ['admin'], input: (a) => ({ id: a.users.buyer.id, name: 'Renomeado' }), crossOrg: 'not-found' },
  'admin.users.resetPassword': { roles: ['admin'], input: (a) => ({ id: a.users.buyer.id }), crossOrg: 'not-found' },
  'admin.stores.list': { roles: ['admin'], input: () => ({ limit: 50 }), crossOrg: { listOf: items } },
  'admin.stores.byId': { roles: ['admin'], input: (a) => ({ id: a.stores[0]!.id }), crossOrg: 'not-found' },
  'admin.stores.create': { roles: ['admin'], input: () => ({ code: `S${Math.floor(Math.random() * 1e9)}`, name: 'Nova loja' }), crossOrg: 'own-data' },
  'admin.stores.update': { roles: ['admin'], input: (a) => ({ id: a.stores[1]!.id, city: 'Campinas' }), crossOrg: 'not-found' },
  'admin.flags.list': { roles: ['admin'], input: () => undefined, crossOrg: 'own-data' },
  // Org B's admin naming org A's store: NOT_FOUND (an org-wide choice is B's own).
  'admin.flags.set': { roles: ['admin'], input: (a) => ({ flag: 'complianceAutoVerdicts', storeId: a.stores[1]!.id, enabled: true }), crossOrg: 'not-found' },
  'admin.tokens.create': { roles: ['admin'], input: (a) => ({ name: 'script', userId: a.users.manager.id }), crossOrg: 'not-found' },
  'admin.tokens.list': { roles: ['admin'], input: () => ({ limit: 50 }), crossOrg: { listOf: items } },
  'admin.tokens.revoke': { roles: ['admin'], input: (_a, extra) => ({ id: extra.tokenId }), crossOrg: 'not-found' },
  'admin.audit.list': { roles: ['admin'], input: () => ({ limit: 200 }), crossOrg: { listOf: items } },
  'admin.dlq.list': { roles: ['admin'], input: () => ({ limit: 50 }), crossOrg: { listOf: items } },
  'admin.dlq.retry': { roles: ['admin'], input: (_a, x) => ({ id: x.deadLetterId }), crossOrg: 'not-found' },
  'admin.dlq.resolve': { roles: ['admin'], input: (_a, x) => ({ id: x.deadLetterId, note: 'resolvido' }), crossOrg: 'not-found' },
  'admin.queues.stats': { roles: ['admin'], input: () => undefined, crossOrg: 'own-data' },
  'admin.events.list': { roles: ['admin'], input: () => ({ limit: 200 }), crossOrg: { listOf: items } },
  'admin.events.replay': { roles: ['admin'], input: (_a, x) => ({ eventIds: [x.eventId], consumer: 'push' }), crossOrg: 'not-found' },
  'notifications.pushConfig': { roles: 'any-signed-in', input: () => undefined, crossOrg: 'own-data' },
  'notifications.registerDevice': { roles: 'any-signed-in', input: () => ({ token: `fcm-token-${randomUUID()}` }), crossOrg: 'own-data' },
  'notifications.unregisterDevice': {
    roles: 'any-signed-in',
    input: (_a, x) => ({ token: x.deviceToken }),
    crossOrg: { noEffect: (r) => expect(r).toEqual({ removed: 0 }) },
  },
  'admin.system.stats': { roles: ['admin'], input: () => undefined, crossOrg: 'own-data' },
  'admin.system.quality': { roles: ['admin'], input: () => undefined, crossOrg: 'own-data' },
  // The server's own certificate authority (null without one): the machine's, no org's data.
  'admin.system.localHttps': { roles: ['admin'], input: () => undefined, crossOrg: 'own-data' },
  'products.list': { roles: 'any-signed-in', input: () => ({ limit: 50 }), crossOrg: { listOf: items } },
  'imports.errorReport': { roles: 'any-signed-in', input: (_a, x) => ({ id: x.importReportId }), crossOrg: 'not-found' },
  'products.byEan': { roles: 'any-signed-in', input: (a) => ({ ean: a.products[0]!.ean }), crossOrg: 'not-found' },
  'products.byId': { roles: 'any-signed-in', input: (a) => ({ id: a.products[0]!.id }), crossOrg: 'not-found' },
  'products.create': { roles: ['admin', 'buyer'], input: () => ({ ean: '7891000100103', name: 'Leite' }), crossOrg: 'own-data' },
  'products.update': { roles: ['admin', 'buyer'], input: (a) => ({ id: a.products[1]!.id, name: 'Feijão preto 1kg' }), crossOrg: 'not-found' },
  'products.deactivate': { roles: ['admin', 'buyer'], input: (a) => ({ id: a.products[1]!.id }), crossOrg: 'not-found' },
  'products.importCsv': { roles: ['admin', 'buyer'], input: () => ({ csv: 'ean;nome\n7891000100103;Leite\n' }), crossOrg: 'own-data' },
  'products.categories': { roles: 'any-signed-in', input: () => undefined, crossOrg: 'own-data' },
  'products.assignCategoryBuyer': { roles: ['admin'], input: (a) => ({ category: 'Mercearia', buyerId: a.users.buyer.id }), crossOrg: 'not-found' },
  'purchaseRequests.create': {
    roles: ['clerk', 'manager', 'admin'],
    input: (a) => ({ id: randomUUID(), storeId: a.stores[0]!.id, items: [{ productId: a.products[0]!.id, quantity: 2 }] }),
    crossOrg: 'not-found',
  },
  'purchaseRequests.submit': { roles: ['clerk', 'manager', 'admin'], input: (_a, x) => ({ id: x.draftId }), crossOrg: 'not-found' },
  'purchaseRequests.list': { roles: 'any-signed-in', input: () => ({ limit: 50 }), crossOrg: { listOf: items } },
  'purchaseRequests.byId': { roles: 'any-signed-in', input: (_a, x) => ({ id: x.requestId }), crossOrg: 'not-found' },
  'purchaseRequests.inbox': { roles: ['buyer', 'admin'], input: () => ({ limit: 50 }), crossOrg: { listOf: inboxItems } },
  'purchaseRequests.decideItem': {
    roles: ['buyer', 'admin'],
    input: (_a, x) => ({ itemId: x.itemId, decision: 'reject', reason: 'fora do mix' }),
    crossOrg: 'not-found',
  },
  'purchaseRequests.decideItems': {
    roles: ['buyer', 'admin'],
    input: (_a, x) => ({ decisions: [{ itemId: x.itemId, decision: 'reject', reason: 'fora do mix' }] }),
    crossOrg: { noEffect: (r) => expect((r as { results: { code?: string }[] }).results.map((x) => x.code)).toEqual(['NOT_FOUND']) },
  },
  'purchaseRequests.close': { roles: ['manager', 'admin'], input: (_a, x) => ({ id: x.requestId }), crossOrg: 'not-found' },
  'notifications.list': { roles: 'any-signed-in', input: () => ({ limit: 50 }), crossOrg: { listOf: items }, crossOrgAs: 'buyer' },
  'dashboard.summary': { roles: ['manager', 'admin', 'clerk'], input: (a) => ({ storeId: a.stores[0]!.id }), crossOrg: 'not-found', crossOrgAs: 'manager' },
  'dashboard.recent': { roles: ['manager', 'admin', 'clerk'], input: (a) => ({ limit: 10, storeId: a.stores[0]!.id }), crossOrg: 'not-found', crossOrgAs: 'manager' },
  'dashboard.live': { roles: ['manager', 'admin', 'clerk'], input: (a) => ({ storeId: a.stores[0]!.id }), crossOrg: 'not-found', crossOrgAs: 'manager' },
  'notifications.markRead': {
    roles: 'any-signed-in',
    input: (_a, x) => ({ ids: [x.notificationId] }),
    crossOrg: { noEffect: (r) => expect(r).toEqual({ marked: 0 }) },
  },
  // Inventory: beforeAll opens org A's session under an id derived from the org; the entries point at it.
  'inventory.open': {
    roles: ['manager', 'admin'],
    input: (a) => ({ id: inventorySessionOf(a), storeId: a.stores[0]!.id, assignments: [{ userId: a.users.clerk.id, zone: '' }] }),
    crossOrg: { listOf: (r) => [(r as { id: string }).id] },
  },
  'inventory.list': {
    roles: ['clerk', 'manager', 'admin'],
    input: () => ({ limit: 200 }),
    crossOrg: { noEffect: (r) => expect(items(r)).not.toContain(inventorySessionOf(orgA)) },
  },
  'inventory.byId': { roles: ['clerk', 'manager', 'admin'], input: (a) => ({ id: inventorySessionOf(a) }), crossOrg: 'not-found' },
  'inventory.assign': {
    roles: ['manager', 'admin'],
    input: (a) => ({ sessionId: inventorySessionOf(a), assignments: [{ userId: a.users.clerk.id, zone: 'A' }] }),
    crossOrg: 'not-found',
  },
  'inventory.sync': {
    roles: ['clerk', 'manager', 'admin'],
    input: (a) => ({
      sessionId: inventorySessionOf(a),
      ...device('matrix'),
      pendingCount: 0,
      entries: [{ id: randomUUID(), ean: a.products[0]!.ean, quantity: 1, zone: '', countedAt: new Date(), seq: 1 }],
    }),
    crossOrg: 'not-found',
  },
  'inventory.progress': { roles: ['clerk', 'manager', 'admin'], input: (a) => ({ sessionId: inventorySessionOf(a) }), crossOrg: 'not-found' },
  'inventory.review': { roles: ['manager', 'admin'], input: (a) => ({ sessionId: inventorySessionOf(a) }), crossOrg: 'not-found' },
  'inventory.requestRecount': { roles: ['manager', 'admin'], input: (a) => ({ sessionId: inventorySessionOf(a), eans: [a.products[0]!.ean] }), crossOrg: 'not-found' },
  'inventory.cancelRecount': { roles: ['manager', 'admin'], input: (a) => ({ sessionId: inventorySessionOf(a), eans: [a.products[0]!.ean] }), crossOrg: 'not-found' },
  'inventory.assignableCounters': { roles: ['manager', 'admin'], input: (a) => ({ sessionId: inventorySessionOf(a) }), crossOrg: 'not-found' },
  'inventory.finalize': { roles: ['manager', 'admin'], input: (a) => ({ sessionId: inventorySessionOf(a) }), crossOrg: 'not-found' },
  'inventory.recountUncounted': { roles: ['manager', 'admin'], input: (a) => ({ sessionId: inventorySessionOf(a) }), crossOrg: 'not-found' },
  'inventory.cancel': { roles: ['manager', 'admin'], input: (a) => ({ sessionId: inventorySessionOf(a), reason: 'matrix' }), crossOrg: 'not-found' },
  'inventory.productsForStore': { roles: ['clerk', 'manager', 'admin'], input: (a) => ({ storeId: a.stores[0]!.id }), crossOrg: 'not-found' },
  'inventory.stock.importCsv': {
    roles: ['manager', 'admin'],
    input: (a) => ({ storeId: a.stores[0]!.id, csv: `ean;quantidade\n${a.products[0]!.ean};5\n` }),
    crossOrg: 'not-found',
  },
  'images.reviewQueue': { roles: ['admin', 'buyer'], input: () => ({ limit: 50 }), crossOrg: { listOf: items } },
  'images.approve': { roles: ['admin', 'buyer'], input: (a, x) => ({ productId: a.products[2]!.id, photoId: x.photoId }), crossOrg: 'not-found' },
  'images.reject': { roles: ['admin', 'buyer'], input: (a, x) => ({ productId: a.products[2]!.id, photoId: x.photoId }), crossOrg: 'not-found' },
  'images.replacePhoto': { roles: ['admin', 'buyer'], input: (a, x) => ({ productId: a.products[0]!.id, photoId: x.photoId, photo: x.photo }), crossOrg: 'not-found' },
  'images.retry': { roles: ['admin', 'buyer'], input: (a) => ({ productId: a.products[1]!.id }), crossOrg: 'not-found' },
  'images.usage': { roles: ['admin'], input: () => undefined, crossOrg: 'own-data' },
  'images.findMissing': { roles: ['admin'], input: () => undefined, crossOrg: 'own-data' },
  // Open Food Facts is off in tests: an allowed caller gets PRECONDITION_FAILED; it reads no org's rows.
  'products.prefill': { roles: ['admin', 'buyer'], input: () => ({ ean: '7891000100103' }), crossOrg: 'own-data' },
  'operator.me': { roles: 'operator', input: () => undefined, crossOrg: 'platform' },
  'operator.dlq.list': { roles: 'operator', input: () => ({ limit: 50 }), crossOrg: 'platform' },
  'operator.dlq.retry': { roles: 'operator', input: (_a, x) => ({ id: x.systemLetterId }), crossOrg: 'platform' },
  'operator.dlq.resolve': { roles: 'operator', input: (_a, x) => ({ id: x.systemLetterToResolveId, note: 'resolvido' }), crossOrg: 'platform' },
  'operator.queues.stats': { roles: 'operator', input: () => undefined, crossOrg: 'platform' },
  'operator.system.stats': { roles: 'operator', input: () => undefined, crossOrg: 'platform' },
  'operator.system.cluster': { roles: 'operator', input: () => undefined, crossOrg: 'platform' },
  'compliance.tasks': { roles: ['clerk', 'manager', 'admin'], input: () => ({}), crossOrg: { listOf: (r) => (r as { tasks: { id: string }[] }).tasks.map((t) => t.id) } },
  'compliance.task': { roles: ['clerk', 'manager', 'admin'], input: (_a, x) => ({ taskId: x.taskId }), crossOrg: 'not-found' },
  'compliance.uploadPhoto': {
    roles: ['clerk', 'manager', 'admin'],
    input: (_a, x) => photoUploadForm({ taskId: x.openTaskId, photoId: x.photoId, photo: new Blob([Buffer.from(x.photo, 'base64')]) }),
    crossOrg: 'not-found',
  },
  'compliance.removePhoto': { roles: ['clerk', 'manager', 'admin'], input: (_a, x) => ({ taskId: x.openTaskId, photoId: x.photoId }), crossOrg: 'not-found' },
  'compliance.submit': {
    roles: ['clerk', 'manager', 'admin'],
    input: (_a, x) => ({ taskId: x.taskId, submissionId: x.submissionId, photoIds: [x.photoId], checklist: [], note: null }),
    crossOrg: 'not-found',
  },
  'compliance.reviewQueue': { roles: ['manager', 'admin'], input: () => undefined, crossOrg: { listOf: (r) => (r as { tasks: { id: string }[] }).tasks.map((t) => t.id) } },
  'compliance.review': { roles: ['manager', 'admin'], input: (_a, x) => ({ taskId: x.taskId, submissionId: x.submissionId, decision: 'approved' }), crossOrg: 'not-found' },
  'compliance.cancel': { roles: ['manager', 'admin'], input: (_a, x) => ({ taskId: x.openTaskId }), crossOrg: 'not-found' },
  'compliance.templates.list': { roles: ['manager', 'admin'], input: () => undefined, crossOrg: { listOf: (r) => (r as { id: string }[]).map((t) => t.id) } },
  'compliance.templates.create': {
    roles: ['manager', 'admin'],
    input: (a) => ({ ...templateOf(a), id: randomUUID() }),
    crossOrg: 'not-found', // org A's store in org B's template: NOT_FOUND
  },
  'compliance.templates.update': { roles: ['manager', 'admin'], input: (_a, x) => ({ id: x.taskId, version: 1, title: 'Outro título' }), crossOrg: 'not-found' },
  'stock.stores': { roles: ['clerk', 'buyer', 'manager', 'admin'], input: () => ({ limit: 50 }), crossOrg: { listOf: items } },
  'stock.levels': { roles: ['clerk', 'buyer', 'manager', 'admin'], input: (a) => ({ storeId: a.stores[0]!.id }), crossOrg: 'not-found' },
  'stock.history': { roles: ['clerk', 'buyer', 'manager', 'admin'], input: (a) => ({ storeId: a.stores[0]!.id, productId: a.products[0]!.id }), crossOrg: 'not-found' },
  'stock.adjust': {
    roles: ['manager', 'admin'],
    input: (a) => ({ id: randomUUID(), storeId: a.stores[0]!.id, productId: a.products[0]!.id, kind: 'manual_adjustment', quantity: 1, reason: 'conferência' }),
    crossOrg: 'not-found',
  },
  'stock.transfer': {
    roles: ['manager', 'admin'],
    input: (a) => ({ id: randomUUID(), fromStoreId: a.stores[0]!.id, toStoreId: a.stores[1]!.id, productId: a.products[0]!.id, quantity: 1, reason: 'reposição' }),
    crossOrg: 'not-found',
  },
  'stock.setReorder': { roles: ['manager', 'admin'], input: (a) => ({ storeId: a.stores[0]!.id, productId: a.products[0]!.id, rule: { minQuantity: 1, reorderQuantity: 2 } }), crossOrg: 'not-found' },
  'stock.suggestions': {
    roles: ['clerk', 'manager', 'admin'],
    input: (a) => ({ storeId: a.stores[0]!.id }),
    crossOrg: 'not-found',
  },
  'stock.draftFromSuggestions': { roles: ['clerk', 'manager', 'admin'], input: (a) => ({ id: randomUUID(), storeId: a.stores[0]!.id }), crossOrg: 'not-found' },
  'receiving.toReceive': { roles: ['clerk', 'manager', 'admin'], input: (a) => ({ storeId: a.stores[0]!.id }), crossOrg: 'not-found' },
  'receiving.closed': { roles: ['clerk', 'manager', 'admin'], input: (a) => ({ storeId: a.stores[0]!.id }), crossOrg: 'not-found' },
  'receiving.open': { roles: ['clerk', 'manager', 'admin'], input: (a) => ({ id: randomUUID(), storeId: a.stores[0]!.id }), crossOrg: 'not-found' },
  'receiving.byId': { roles: ['clerk', 'manager', 'admin'], input: (_a, x) => ({ id: x.receiptId }), crossOrg: 'not-found' },
  'receiving.sync': { roles: ['clerk', 'manager', 'admin'], input: (a, x) => ({ receiptId: x.receiptId, entries: [{ id: randomUUID(), ean: a.products[0]!.ean, quantity: 1 }] }), crossOrg: 'not-found' },
  'receiving.close': { roles: ['clerk', 'manager', 'admin'], input: (_a, x) => ({ id: x.receiptId }), crossOrg: 'not-found' },
  'status.get': { roles: 'public', input: () => undefined, crossOrg: 'own-data' },
};

let services: Services;
let close: () => Promise<void>;
let orgA: OrgFixture;
let orgB: OrgFixture;
let operator: OperatorFixture;
let extra: Extra;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  orgA = await createOrgFixture(services, 'matrix-a');
  orgB = await createOrgFixture(services, 'matrix-b');
  operator = await createOperatorFixture(services, 'matrix');
  const adminA = await callerFor(services, { sessionSecret: orgA.secrets.admin });
  const clerkA = await callerFor(services, { sessionSecret: orgA.secrets.clerk });
  const tokenId = (await adminA.admin.tokens.create({ name: 'matrix' })).id;
  const draft = await clerkA.purchaseRequests.create({ id: randomUUID(), storeId: orgA.stores[0]!.id, items: [{ productId: orgA.products[0]!.id, quantity: 1 }] });
  const request = await clerkA.purchaseRequests.create({
    id: randomUUID(),
    storeId: orgA.stores[0]!.id,
    items: [{ productId: orgA.products[0]!.id, quantity: 3 }],
    submit: true,
  });
  const buyerA = await callerFor(services, { sessionSecret: orgA.secrets.buyer });
  await runConsumers(services); // the buyer's notification of the submitted request
  const notificationId = (await buyerA.notifications.list({ limit: 1 })).items[0]!.id;
  const deviceToken = `fcm-token-of-buyer-a-${randomUUID()}`;
  await buyerA.notifications.registerDevice({ token: deviceToken });
  const [letter] = await services.db
    .insert(deadLetterQueue)
    .values({ orgId: orgA.org.id, sourceQueue: 'fcm-notifications', payload: { notificationId }, errorMessage: 'boom' })
    .returning();
  const systemLetters = await services.db
    .insert(deadLetterQueue)
    .values([1, 2].map((n) => ({ orgId: null, sourceQueue: 'domain-events', jobName: `system-${n}`, payload: { eventId: 999_000 + n, orgId: null }, errorMessage: 'boom' })))
    .returning();
  const [event] = await services.db.select({ id: eventLog.id }).from(eventLog).where(eq(eventLog.orgId, orgA.org.id)).limit(1);
  await adminA.inventory.open({ id: inventorySessionOf(orgA), storeId: orgA.stores[0]!.id, assignments: [{ userId: orgA.users.clerk.id, zone: '' }] });
  const photoId = randomUUID();
  for (const [product, key] of [[orgA.products[2]!, `products/${orgA.org.id}/${orgA.products[2]!.id}/${photoId}`], [orgA.products[1]!, null]] as const) {
    await services.db.update(products).set({ imageStatus: 'manual_review', imageReviewReason: 'low_score', imageKey: key }).where(eq(products.id, product.id));
  }
  const photo = (await sharp({ create: { width: 64, height: 64, channels: 3, background: '#c33' } }).jpeg().toBuffer()).toString('base64');
  // Compliance: two templates of org A, so two tasks of today; one sent (Vision is off here: it waits for review).
  const managerA = await callerFor(services, { sessionSecret: orgA.secrets.manager });
  const sentTemplate = await managerA.compliance.templates.create({ ...templateOf(orgA), id: randomUUID() });
  const openTemplate = await managerA.compliance.templates.create({ ...templateOf(orgA), id: randomUUID(), title: 'Vitrine' });
  const taskOf = async (templateId: string) => (await clerkA.compliance.tasks({})).tasks.find((t) => t.templateId === templateId)!.id;
  const taskId = await taskOf(sentTemplate.id);
  const sentPhoto = randomUUID();
  await clerkA.compliance.uploadPhoto(photoUploadForm({ taskId, photoId: sentPhoto, photo: new Blob([Buffer.from(photo, 'base64')]) }));
  const submissionId = randomUUID();
  await clerkA.compliance.submit({ taskId, submissionId, photoIds: [sentPhoto], checklist: [], note: null });
  // The check the workers would run: Vision is off here, so it waits for a person.
  await checkSubmission(systemContext(services, { requestId: 'matrix-check', afterCommit: async () => {} }), { orgId: orgA.org.id, submissionId }, null);
  const receiptId = randomUUID();
  await managerA.receiving.open({ id: receiptId, storeId: orgA.stores[0]!.id });
  extra = {
    receiptId,
    taskId,
    submissionId,
    openTaskId: await taskOf(openTemplate.id),
    photoId,
    photo,
    tokenId,
    draftId: draft.id,
    requestId: request.id,
    itemId: request.items[0]!.id,
    notificationId,
    deadLetterId: letter!.id,
    systemLetterId: systemLetters[0]!.id,
    systemLetterToResolveId: systemLetters[1]!.id,
    eventId: event!.id,
    deviceToken,
    importReportId: (await adminA.products.importCsv({ csv: `ean;nome\n${orgA.products[0]!.ean};\n` })).reportId!,
  };
});
afterAll(() => close());

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta } }>);

async function call(path: string, opts: { sessionSecret?: string }, input: unknown) {
  const caller = (await callerFor(services, opts)) as unknown as Record<string, unknown>;
  const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (i: unknown, o?: unknown) => Promise<unknown>;
  const controller = new AbortController();
  const result = await fn(input, { signal: controller.signal });
  if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
    // A subscription: its checks run when it starts; a stream that stays open without error was allowed.
    const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const outcome = await Promise.race([iterator.next().then(() => 'event'), new Promise((r) => setTimeout(() => r('open'), 150))]);
    controller.abort();
    void iterator.return?.();
    return outcome;
  }
  return result;
}

/** A session allowed to call: the operator's for its procedures, else org A's most privileged allowed role. */
function allowedSecret(access: Access): string {
  if (access.roles === 'operator') return operator.secret;
  return orgA.secrets[typeof access.roles === 'string' ? 'admin' : access.roles[access.roles.length - 1]!];
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return error instanceof TRPCError ? error.code : `UNEXPECTED ${(error as Error).message}`;
  }
}

describe('access matrix', () => {
  it('has an entry for every procedure of the router, and no stale ones', () => {
    const paths = procedures.map(([path]) => path).sort();
    expect(Object.keys(matrix).sort()).toEqual(paths);
  });

  it('declares the same roles as the procedures enforce (meta.roles, meta.operator)', () => {
    for (const [path, procedure] of procedures) {
      const declared = matrix[path]!.roles;
      const metaRoles = procedure._def.meta?.roles;
      if (Array.isArray(declared)) expect([...(metaRoles ?? [])].sort(), path).toEqual([...declared].sort());
      else expect(metaRoles, path).toBeUndefined();
      expect(procedure._def.meta?.operator ?? false, path).toBe(declared === 'operator');
    }
  });

  // Every paged list: a cursor that decodes but holds the wrong values (crafted, or from another list) is the
  // caller's mistake, BAD_REQUEST, never a failed cast in the database answered as a 500.
  const crafted = [['x', 'y'], [1.5], ['x'], [-1], ['2026-01-01T00:00:00.000Z', 'not-a-uuid'], ['a\u0000b']].map((v) => Buffer.from(JSON.stringify(v)).toString('base64url'));
  it('every paged list answers a well-formed cursor with wrong values with BAD_REQUEST', async () => {
    const lists: string[] = [];
    for (const [path, access] of Object.entries(matrix)) {
      const input = access.input(orgA, extra);
      if (!input || typeof input !== 'object' || !('limit' in input)) continue;
      const as = { sessionSecret: allowedSecret(access) };
      if ((await codeOf(call(path, as, { ...input, cursor: null }))) !== 'OK') continue; // takes no cursor
      lists.push(path);
      for (const cursor of crafted) {
        expect(await codeOf(call(path, as, { ...input, cursor })), `${path} with ${Buffer.from(cursor, 'base64url').toString()}`).toBe('BAD_REQUEST');
      }
    }
    expect(lists.length).toBeGreaterThanOrEqual(12);
  });

  for (const [path, access] of Object.entries(matrix)) {
    describe(path, () => {
      if (access.roles === 'public') {
        it('is open to a signed-out caller', async () => {
          expect(await codeOf(call(path, {}, access.input(orgA, extra)))).toBe('OK');
        });
      } else {
        it('refuses a signed-out caller with UNAUTHORIZED', async () => {
          expect(await codeOf(call(path, {}, access.input(orgA, extra)))).toBe('UNAUTHORIZED');
        });
        it('refuses a malformed session cookie with UNAUTHORIZED', async () => {
          expect(await codeOf(call(path, { sessionSecret: 'not-a-real-session' }, access.input(orgA, extra)))).toBe('UNAUTHORIZED');
        });
      }
      const allowed: readonly UserRole[] = Array.isArray(access.roles) ? access.roles : access.roles === 'operator' ? [] : userRoles;
      for (const role of userRoles.filter((r) => !allowed.includes(r))) {
        it(`refuses role ${role} with FORBIDDEN and changes nothing`, async () => {
          expect(await codeOf(call(path, { sessionSecret: orgA.secrets[role] }, access.input(orgA, extra)))).toBe('FORBIDDEN');
        });
      }
      if (access.roles === 'operator') {
        it('is open to the platform operator', async () => {
          expect(await codeOf(call(path, { sessionSecret: operator.secret }, access.input(orgA, extra)))).toBe('OK');
        });
        it("refuses org B's admin with FORBIDDEN too: no org's admin gets the platform's data", async () => {
          expect(await codeOf(call(path, { sessionSecret: orgB.secrets.admin }, access.input(orgB, extra)))).toBe('FORBIDDEN');
        });
      } else if (access.roles !== 'public' && access.roles !== 'anyone-signed-in') {
        it('refuses the platform operator with FORBIDDEN: it belongs to no organization', async () => {
          expect(await codeOf(call(path, { sessionSecret: operator.secret }, access.input(orgA, extra)))).toBe('FORBIDDEN');
        });
      }
      const crossOrg = access.crossOrg;
      if (crossOrg === 'not-found') {
        it(`gives NOT_FOUND to org B's ${access.crossOrgAs ?? allowed[allowed.length - 1]} for org A's rows`, async () => {
          const role = access.crossOrgAs ?? allowed[allowed.length - 1]!;
          expect(await codeOf(call(path, { sessionSecret: orgB.secrets[role] }, access.input(orgA, extra)))).toBe('NOT_FOUND');
        });
      } else if (typeof crossOrg === 'object' && 'noEffect' in crossOrg) {
        it("lets org B's caller touch nothing of org A", async () => {
          const role = access.crossOrgAs ?? allowed[allowed.length - 1]!;
          crossOrg.noEffect(await call(path, { sessionSecret: orgB.secrets[role] }, access.input(orgA, extra)));
        });
      } else if (crossOrg !== 'own-data' && crossOrg !== 'platform') {
        it("shows org B's caller none of org A's rows", async () => {
          const role = access.crossOrgAs ?? allowed[allowed.length - 1]!;
          const idsOfA = new Set(
            crossOrg.listOf(await call(path, { sessionSecret: orgA.secrets[role] }, access.input(orgA, extra))),
          );
          expect(idsOfA.size, 'org A has rows to leak').toBeGreaterThan(0);
          const seenByB = crossOrg.listOf(await call(path, { sessionSecret: orgB.secrets[role] }, access.input(orgB, extra)));
          expect(seenByB.filter((id) => idsOfA.has(id))).toEqual([]);
        });
      }
    });
  }
});

describe("system dead letters (no org) are the platform operator's, never an org admin's", () => {
  const ids = (r: unknown) => items(r);

  it("org A's admin lists only org A's letters, and gets NOT_FOUND retrying or resolving a system letter", async () => {
    const adminA = await callerFor(services, { sessionSecret: orgA.secrets.admin });
    const open = ids(await adminA.admin.dlq.list({ limit: 200 }));
    const resolved = ids(await adminA.admin.dlq.list({ limit: 200, resolved: true }));
    expect(open).toContain(extra.deadLetterId);
    expect([...open, ...resolved]).not.toContain(extra.systemLetterId);
    expect([...open, ...resolved]).not.toContain(extra.systemLetterToResolveId);
    expect(await codeOf(adminA.admin.dlq.retry({ id: extra.systemLetterId }))).toBe('NOT_FOUND');
    expect(await codeOf(adminA.admin.dlq.resolve({ id: extra.systemLetterId, note: 'não é meu' }))).toBe('NOT_FOUND');
  });

  it("the operator lists the system's letters and none of an org's, and gets NOT_FOUND for org A's letter", async () => {
    const op = await callerFor(services, { sessionSecret: operator.secret });
    const all = [...ids(await op.operator.dlq.list({ limit: 200 })), ...ids(await op.operator.dlq.list({ limit: 200, resolved: true }))];
    expect(all).toEqual(expect.arrayContaining([extra.systemLetterId, extra.systemLetterToResolveId]));
    expect(all).not.toContain(extra.deadLetterId);
    expect(await codeOf(op.operator.dlq.retry({ id: extra.deadLetterId }))).toBe('NOT_FOUND');
    expect(await codeOf(op.operator.dlq.resolve({ id: extra.deadLetterId, note: 'não é meu' }))).toBe('NOT_FOUND');
  });
});
