import type { Redis } from '@upstash/redis';
import type { CacheStore } from './store';

// KEYS: the value's key, then its tag sets. ARGV: encoded value, TTL in seconds.
// Each write also drops up to 3 members whose values are gone, so a tag that is written forever stays bounded.
const SET_WITH_TAGS = `
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
for i = 2, #KEYS do
  local tag = KEYS[i]
  for _, member in ipairs(redis.call('SRANDMEMBER', tag, 3)) do
    if redis.call('EXISTS', member) == 0 then redis.call('SREM', tag, member) end
  end
  redis.call('SADD', tag, KEYS[1])
  if redis.call('TTL', tag) < ttl then redis.call('EXPIRE', tag, ttl) end
end
return 1
`;

// KEYS: tag sets. One script, so no reader sees a tag half invalidated.
const INVALIDATE_TAGS = `
local deleted = 0
for i = 1, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for first = 1, #members, 500 do
    deleted = deleted + redis.call('DEL', unpack(members, first, math.min(first + 499, #members)))
  end
  redis.call('DEL', KEYS[i])
end
return deleted
`;

// KEYS: the counter. ARGV: by, TTL in seconds, where a new counter starts.
const INCR_FROM = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[3]) end
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return value
`;

export function createRedisStore(redis: Redis, prefix: string): CacheStore {
  const setWithTags = redis.createScript<number>(SET_WITH_TAGS);
  const invalidate = redis.createScript<number>(INVALIDATE_TAGS);
  const incrFrom = redis.createScript<number>(INCR_FROM);
  const tagKey = (tag: string) => `${prefix}tag:${tag}`;

  return {
    get: (key) => redis.get(prefix + key),
    getMany: (keys) => (keys.length === 0 ? Promise.resolve([]) : redis.mget(...keys.map((key) => prefix + key))),
    async incr(key, ttlSeconds, by, startAt) {
      return Number(await incrFrom.exec([prefix + key], [String(by), String(ttlSeconds), String(startAt)]));
    },
    async set(key, encoded, ttlSeconds, tags) {
      if (tags.length === 0) await redis.set(prefix + key, encoded, { ex: ttlSeconds });
      else await setWithTags.exec([prefix + key, ...tags.map(tagKey)], [encoded, String(ttlSeconds)]);
    },
    async del(keys) {
      await redis.del(...keys.map((key) => prefix + key));
    },
    async invalidateTags(tags) {
      await invalidate.exec(tags.map(tagKey), []);
    },
  };
}
