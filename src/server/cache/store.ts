/** What a cache backend does; the values are superjson-encoded. Redis stores throw on failure, memory never does. */
export interface CacheStore {
  get(key: string): Promise<unknown>;
  /** One round trip for several keys; missing ones come back undefined/null. */
  getMany(keys: string[]): Promise<unknown[]>;
  /**
   * Atomic counter, raised by `by`; the key expires ttlSeconds after its last increment. A key that does not exist
   * (never made, expired, or lost with Redis's data) starts at `startAt`.
   */
  incr(key: string, ttlSeconds: number, by: number, startAt: number): Promise<number>;
  set(key: string, encoded: string, ttlSeconds: number, tags: string[]): Promise<void>;
  del(keys: string[]): Promise<void>;
  invalidateTags(tags: string[]): Promise<void>;
}
