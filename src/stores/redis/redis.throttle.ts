// A Redis store's rate-limit hit (`nestjs-cachekit/throttler`): one Lua script per hit, atomic
// across processes, on Redis's own clock (TIME), with the rules of core/locks/throttle-step.ts.
// The record is one key (so one Cluster slot without a hash tag): a list whose head is
// `<window end>:<block end>:<blocked 0|1>` and whose other items are the expiries of the hits
// still counting, oldest first (epoch ms). Pruning pops expired hits from the front, so a hit
// costs O(1 + hits expired since the last one).
import type { ThrottleHit, ThrottleResult } from '../../core/locks/throttle-step';
import type { RedisConnection } from './redis.connection';
import { createHash } from 'node:crypto';

const source = `
local key = KEYS[1]
local ttl, limit, block = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if not now then
  if redis.replicate_commands then pcall(redis.replicate_commands) end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local e, b, k = now + ttl, 0, 0
local meta = redis.call('LPOP', key)
if meta then
  local pe, pb, pk = string.match(meta, '^(%d+):(%d+):([01])$')
  if pe then e, b, k = tonumber(pe), tonumber(pb), tonumber(pk) else redis.call('DEL', key) end
end
while true do
  local first = redis.call('LINDEX', key, 0)
  if not first then break end
  local at = tonumber(first)
  if at and at > now then break end
  redis.call('LPOP', key)
end
local hits = redis.call('LLEN', key)
if e - now <= 0 then e = now + ttl end
local stamp = string.format('%d', now + ttl)
local total, blocked, left = 0, 0, 0
if block <= 0 then
  if hits >= limit then
    blocked = 1
    local oldest = redis.call('LINDEX', key, 0)
    left = (oldest and tonumber(oldest) or e) - now
  else
    redis.call('RPUSH', key, stamp)
    hits = hits + 1
  end
  total = hits + blocked
else
  if k == 0 then
    redis.call('RPUSH', key, stamp)
    hits = hits + 1
    if hits > limit then k, b = 1, now + block end
  end
  if k == 1 and b - now <= 0 then
    k = 0
    redis.call('DEL', key)
    redis.call('RPUSH', key, stamp)
    hits = 1
    if hits > limit then k, b = 1, now + block end
  end
  total, blocked = hits, k
  if k == 1 then left = b - now end
end
local keep = e
if k == 1 and b > keep then keep = b end
local last = redis.call('LINDEX', key, -1)
if last and tonumber(last) and tonumber(last) > keep then keep = tonumber(last) end
redis.call('LPUSH', key, string.format('%d:%d:%d', e, b, k))
redis.call('PEXPIRE', key, string.format('%d', keep - now))
return {total, blocked, e - now, left}
`;

/** The script (ARGV: ttl ms, limit, block ms, and only in tests a fixed epoch ms for now); answers `{ totalHits, blocked 0|1, window ms left, block ms left }`. */
export const THROTTLE = { source, sha: createHash('sha1').update(source).digest('hex') };

/** One hit of the rate-limit record `key`, as one EVALSHA. */
export async function throttleOnRedis(conn: RedisConnection, key: string, hit: ThrottleHit): Promise<ThrottleResult> {
  const args = [hit.ttlMs, hit.limit, hit.blockMs].map((n) => String(Math.max(0, Math.ceil(n))));
  const reply = (await conn
    .eval('throttle', THROTTLE, key, ...args)
    .catch((e) => conn.rethrow('throttle', e))) as number[];
  return {
    totalHits: Number(reply[0]),
    isBlocked: Number(reply[1]) === 1,
    expiresInMs: Number(reply[2]),
    blockExpiresInMs: Number(reply[3]),
  };
}
