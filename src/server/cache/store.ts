/** What a cache backend does; the values are superjson-encoded. Redis stores throw on failure, memory never does. */
export interface CacheStore {
  get(key: string): Promise<unknown>;
  set(key: string, encoded: string, ttlSeconds: number, tags: string[]): Promise<void>;
  del(keys: string[]): Promise<void>;
  invalidateTags(tags: string[]): Promise<void>;
}
