/**
 * Object storage (docs/architecture.md "The outside world"): product photos now, compliance photos later. One
 * interface, two stores: files under DATA_DIR in the embedded default, an S3-compatible bucket when S3_* is set.
 * Callers go through `createObjectStorage` (storage.ts), which puts every call behind the `storage` integration.
 */

export type StoredObject = { body: Buffer; contentType: string; size: number; etag: string };

export interface ObjectStore {
  readonly kind: 'filesystem' | 's3';
  /** Writes (or overwrites) one object; whole or not at all. */
  put(key: string, body: Buffer, contentType: string, signal?: AbortSignal): Promise<void>;
  /** The object, or null when there is none. */
  get(key: string, signal?: AbortSignal): Promise<StoredObject | null>;
  /** Deletes the objects (missing ones are fine). */
  delete(keys: string[], signal?: AbortSignal): Promise<void>;
  /** Cheap reachability probe (health): throws when the store cannot be used. */
  check(signal?: AbortSignal): Promise<void>;
}

export const MAX_KEY_LENGTH = 512;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Keys look like `products/<uuid>/<uuid>/512.webp`: `/`-separated segments of [A-Za-z0-9._-]. Anything else is
 * refused, so a key is always a safe relative path under the filesystem store's root (no `..`, no absolute path,
 * no empty or `.` segment) and the same key means the same object in both stores.
 */
export function isValidKey(key: string): boolean {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  if (key.includes('..')) return false;
  return key.split('/').every((segment) => segment !== '.' && SEGMENT.test(segment));
}

/** A refused key is a bug in the caller, not an outage: a plain Error, thrown before any I/O. */
export function assertValidKey(key: string): void {
  if (!isValidKey(key)) throw new Error(`storage: invalid object key ${JSON.stringify(String(key).slice(0, 80))}`);
}

/** A content type is one header value; refusing line breaks keeps it from smuggling anything into a header or file. */
export function assertValidContentType(contentType: string): void {
  if (typeof contentType !== 'string' || contentType.length === 0 || contentType.length > 255 || /[\r\n\0]/.test(contentType)) {
    throw new Error(`storage: invalid content type ${JSON.stringify(String(contentType).slice(0, 80))}`);
  }
}
