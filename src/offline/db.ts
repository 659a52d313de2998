/**
 * The tablet's offline store (IndexedDB through Dexie): the store's product lookup table, the append-only scan
 * log (which is also the sync outbox: `status` says what the server has acknowledged) and small meta rows
 * (device id, the per-device sequence, last sync and receipts). One module, one database.
 */
import { deviceIdFor, newDeviceSecret } from '~/lib/device-identity';
import Dexie, { type Table } from 'dexie';

/** Product lookup rows, per store, so a scan resolves offline. */
export type OfflineProduct = {
  storeId: string;
  /** The product's id and approved photo (lib/photos.ts photoUrl); absent in rows downloaded before photos existed. */
  id?: string;
  photoId?: string | null;
  ean: string;
  name: string;
  unit: string;
  plu: string | null;
  price: number;
  category: string | null;
  /** The download run that wrote the row; rows of older runs are removed once a run completes. */
  fetchedAt: number;
};

export type ScanStatus = 'pending' | 'synced' | 'rejected';

/** One scan, as counted on this device. Never edited except for its sync status: corrections are new scans. */
export type ScanRecord = {
  id: string;
  sessionId: string;
  storeId: string;
  /** The code as scanned (a scale label keeps its full 13 digits). */
  ean: string;
  /** Units; for a scale label the number of labels (the server turns it into kg). Negative: a correction. */
  quantity: number;
  zone: string;
  countedAt: Date;
  deviceId: string;
  /** Per-device monotonic sequence, persisted in `meta`. */
  seq: number;
  /** Who counted it: only that user ever sends it. */
  userId: string;
  replaces?: string | null;
  recount?: boolean;
  status: ScanStatus;
  rejectReason?: string;
  rejectMessage?: string;
};

export type MetaRow = { key: string; value: unknown };

/**
 * A compliance photo as taken on this tablet (reduced to 1,600 px first), kept until the server has it: `pending`
 * waits to upload, `uploaded` is on the server (the blob stays for the screen until the task is sent), `rejected`
 * the server refused it (the message says why; the clerk removes it and takes another).
 */
export type CompliancePhoto = {
  id: string;
  taskId: string;
  userId: string;
  blob: Blob;
  width: number;
  height: number;
  takenAt: Date;
  status: 'pending' | 'uploaded' | 'rejected';
  message?: string;
};

/** A task sent on this tablet: submitted once its photos are all on the server. */
export type ComplianceSubmission = {
  id: string;
  taskId: string;
  userId: string;
  photoIds: string[];
  checklist: boolean[];
  note: string | null;
  createdAt: Date;
  status: 'pending' | 'sent' | 'rejected';
  message?: string;
};

export type SyncReceipt = {
  sessionId: string;
  userId: string;
  deviceId: string;
  /** Entries of this session from this device the server holds. */
  serverCount: number;
  /** Scans of this session on this device, all acknowledged. */
  localCount: number;
  lastSeq: number;
  at: string;
};

export type LastSync = { at: string; serverCount: number; lastSeq: number };

export const PRODUCTS_STALE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

export class OfflineDatabase extends Dexie {
  products!: Table<OfflineProduct, [string, string]>;
  scans!: Table<ScanRecord, string>;
  meta!: Table<MetaRow, string>;
  compliancePhotos!: Table<CompliancePhoto, string>;
  complianceSubmissions!: Table<ComplianceSubmission, string>;

  constructor(name = 'myinventory-offline') {
    super(name);
    this.version(1).stores({
      products: '[storeId+ean], [storeId+plu], [storeId+fetchedAt]',
      scans: 'id, [sessionId+userId+status+seq], [sessionId+status], [sessionId+seq]',
      meta: 'key',
    });
    // Compliance photos and submissions waiting for the server (src/offline/compliance.ts).
    this.version(2).stores({
      compliancePhotos: 'id, taskId, status',
      complianceSubmissions: 'id, taskId, status',
    });
  }
}

let shared: OfflineDatabase | null = null;

/** The browser's database (one per origin). */
export function offlineDb(): OfflineDatabase {
  shared ??= new OfflineDatabase();
  return shared;
}

/** Thrown when the device has no room left: the scan was NOT stored and must not be acknowledged. */
export class OfflineStorageFullError extends Error {
  constructor(cause?: unknown) {
    super('O armazenamento do tablet está cheio: esta leitura NÃO foi salva. Sincronize e libere espaço (apague dados de outros sites) antes de continuar.', { cause });
    this.name = 'OfflineStorageFullError';
  }
}

export function isQuotaError(error: unknown): boolean {
  for (let e = error as { name?: string; inner?: unknown } | undefined; e; e = e.inner as typeof e) {
    if (e.name === 'QuotaExceededError') return true;
  }
  return false;
}

async function getMeta<T>(db: OfflineDatabase, key: string): Promise<T | undefined> {
  return (await db.meta.get(key))?.value as T | undefined;
}

export type DeviceIdentity = { deviceId: string; deviceSecret: string };

/**
 * This browser profile's device id and the secret it is derived from (`~/lib/device-identity`), made once and
 * kept. A profile from before the secret existed gets both now, and its scans still waiting to sync move to the new
 * id (those already synced stay under the old one, as the server has them).
 */
export async function getDeviceIdentity(db: OfflineDatabase): Promise<DeviceIdentity> {
  const [storedSecret, storedId] = await Promise.all([getMeta<string>(db, 'deviceSecret'), getMeta<string>(db, 'deviceId')]);
  if (storedSecret && storedId) return { deviceId: storedId, deviceSecret: storedSecret };
  // WebCrypto cannot run inside an IndexedDB transaction (it would commit early): derive first, then write.
  const deviceSecret = newDeviceSecret();
  const deviceId = await deviceIdFor(deviceSecret);
  return db.transaction('rw', db.meta, db.scans, async () => {
    const [secret, id] = await Promise.all([getMeta<string>(db, 'deviceSecret'), getMeta<string>(db, 'deviceId')]);
    if (secret && id) return { deviceId: id, deviceSecret: secret }; // another tab made them meanwhile
    if (id) await db.scans.filter((s) => s.deviceId === id && s.status === 'pending').modify({ deviceId });
    await db.meta.bulkPut([
      { key: 'deviceSecret', value: deviceSecret },
      { key: 'deviceId', value: deviceId },
    ]);
    return { deviceId, deviceSecret };
  });
}

/** This browser profile's device id, made once and kept. */
export const getDeviceId = async (db: OfflineDatabase): Promise<string> => (await getDeviceIdentity(db)).deviceId;

export type NewScan = Omit<ScanRecord, 'id' | 'seq' | 'status' | 'deviceId' | 'countedAt'> & { countedAt?: Date };

/**
 * Appends a scan: the next device sequence and the row are written in one transaction, and only once it has
 * committed does the caller acknowledge the scan to the clerk.
 */
export async function appendScan(db: OfflineDatabase, deviceId: string, scan: NewScan): Promise<ScanRecord> {
  try {
    return await db.transaction('rw', db.scans, db.meta, async () => {
      // Read inside the write transaction, so two tabs of this device never take the same number.
      const seq = ((await getMeta<number>(db, 'seq')) ?? 0) + 1;
      const record: ScanRecord = { ...scan, id: crypto.randomUUID(), countedAt: scan.countedAt ?? new Date(), deviceId, seq, status: 'pending' };
      // Both writes at once: one wait for the browser instead of two.
      await Promise.all([db.meta.put({ key: 'seq', value: seq }), db.scans.add(record)]);
      return record;
    });
  } catch (error) {
    if (isQuotaError(error)) throw new OfflineStorageFullError(error);
    throw error;
  }
}

export function sessionScans(db: OfflineDatabase, sessionId: string): Promise<ScanRecord[]> {
  return db.scans.where('[sessionId+seq]').between([sessionId, Dexie.minKey], [sessionId, Dexie.maxKey]).toArray();
}

/** Every scan of the session still waiting for the server on this device, whoever counted it. */
export function pendingCount(db: OfflineDatabase, sessionId: string): Promise<number> {
  return db.scans.where('[sessionId+status]').equals([sessionId, 'pending']).count();
}

/** The user's pending scans of a session, oldest first. */
export function pendingScansOf(db: OfflineDatabase, sessionId: string, userId: string, limit: number): Promise<ScanRecord[]> {
  return db.scans
    .where('[sessionId+userId+status+seq]')
    .between([sessionId, userId, 'pending', Dexie.minKey], [sessionId, userId, 'pending', Dexie.maxKey])
    .limit(limit)
    .toArray();
}

const lastSyncKey = (sessionId: string, userId: string) => `lastSync:${sessionId}:${userId}`;
const receiptKey = (sessionId: string, userId: string) => `receipt:${sessionId}:${userId}`;

export const getLastSync = (db: OfflineDatabase, sessionId: string, userId: string) => getMeta<LastSync>(db, lastSyncKey(sessionId, userId));
export const setLastSync = (db: OfflineDatabase, sessionId: string, userId: string, value: LastSync) => db.meta.put({ key: lastSyncKey(sessionId, userId), value });
export const getReceipt = (db: OfflineDatabase, sessionId: string, userId: string) => getMeta<SyncReceipt>(db, receiptKey(sessionId, userId));
export const setReceipt = (db: OfflineDatabase, receipt: SyncReceipt) => db.meta.put({ key: receiptKey(receipt.sessionId, receipt.userId), value: receipt });

// ---- products

export type ProductsMeta = { fetchedAt: number; count: number };

export const getProductsMeta = (db: OfflineDatabase, storeId: string) => getMeta<ProductsMeta>(db, `products:${storeId}`);

export function isStale(meta: ProductsMeta | undefined, now = Date.now()): boolean {
  return !meta || now - meta.fetchedAt > PRODUCTS_STALE_AFTER_MS;
}

export type LookupPage = {
  items: { id: string; ean: string; name: string; unit: string; plu: string | null; price: number; category: string | null; photoId: string | null }[];
  nextCursor: string | null;
};

/**
 * Downloads the store's lookup table page by page. Rows from earlier runs stay until this one completes, so an
 * interrupted download never leaves the device with fewer products than before.
 */
export async function refreshProducts(db: OfflineDatabase, storeId: string, fetchPage: (cursor: string | null) => Promise<LookupPage>, now = Date.now()): Promise<ProductsMeta> {
  let cursor: string | null = null;
  let count = 0;
  do {
    const page: LookupPage = await fetchPage(cursor);
    await db.products.bulkPut(
      page.items.map((p) => ({ storeId, id: p.id, ean: p.ean, name: p.name, unit: p.unit, plu: p.plu, price: p.price, category: p.category, photoId: p.photoId, fetchedAt: now })),
    );
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  const meta = { fetchedAt: now, count };
  await db.transaction('rw', db.products, db.meta, async () => {
    await db.products.where('[storeId+fetchedAt]').between([storeId, Dexie.minKey], [storeId, now]).delete();
    await db.meta.put({ key: `products:${storeId}`, value: meta });
  });
  return meta;
}

export function findProduct(db: OfflineDatabase, storeId: string, ean: string): Promise<OfflineProduct | undefined> {
  return db.products.get([storeId, ean]);
}

export async function findProductByPlu(db: OfflineDatabase, storeId: string, plus: string[]): Promise<OfflineProduct | undefined> {
  for (const plu of plus) {
    const found = await db.products.where('[storeId+plu]').equals([storeId, plu]).first();
    if (found) return found;
  }
  return undefined;
}

// ---- persistence

export type PersistenceState = 'granted' | 'denied' | 'unsupported';

/** Asks the browser not to evict our data under storage pressure; the screen shows a refusal. */
export async function requestPersistentStorage(): Promise<PersistenceState> {
  if (typeof navigator === 'undefined' || !navigator.storage?.persist) return 'unsupported';
  try {
    if (await navigator.storage.persisted()) return 'granted';
    return (await navigator.storage.persist()) ? 'granted' : 'denied';
  } catch {
    return 'denied';
  }
}

/** Whether the browser's storage for this site is nearly used up (90 % of its quota): scans may fail to be stored. */
export async function storageNearlyFull(): Promise<boolean> {
  if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return false;
  try {
    const { usage, quota } = await navigator.storage.estimate();
    return !!usage && !!quota && usage / quota >= 0.9;
  } catch {
    return false;
  }
}
