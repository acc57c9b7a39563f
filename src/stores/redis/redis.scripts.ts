import { createHash } from 'node:crypto';

/** A Lua script run with EVALSHA (falling back to EVAL once per connection when Redis lacks it). */
export interface RedisScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * `increment`: INCRBY for integers (64-bit exact), INCRBYFLOAT when either side is fractional;
 * the TTL applies only when this call created the key, in the same atomic step.
 * ARGV: by, '1' when `by` is an integer, TTL in ms or ''.
 */
export const INCREMENT = script(`
local cur = redis.call('GET', KEYS[1])
local created = cur == false
-- Refuse before writing a result a JavaScript number cannot hold exactly.
if ARGV[2] == '1' and (created or string.match(cur, '^%-?%d+$')) then
  local n = (created and 0 or tonumber(cur)) + tonumber(ARGV[1])
  if n > 9007199254740991 or n < -9007199254740991 then return redis.error_reply('CACHEKIT_UNSAFE_INTEGER') end
end
local r
if ARGV[2] == '1' then
  r = redis.pcall('INCRBY', KEYS[1], ARGV[1])
  if type(r) == 'table' and r.err then r = nil end
end
if r == nil then
  r = redis.pcall('INCRBYFLOAT', KEYS[1], ARGV[1])
  if type(r) == 'table' and r.err then return redis.error_reply('CACHEKIT_NOT_A_NUMBER') end
end
if created and ARGV[3] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return r
`);

/** `touch` without a TTL: PERSIST alone cannot tell a missing key from one without expiry. */
export const PERSIST = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('PERSIST', KEYS[1])
return 1
`);

/** Extends a lease only while `token` (ARGV[1]) holds it, for ARGV[2] ms. */
export const RENEW_LOCK = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/**
 * Releases a lease only while `token` (ARGV[1]) holds it, and tells the processes waiting for
 * the guarded key (ARGV[3]) on channel ARGV[2] that they can read it now.
 */
export const RELEASE_LOCK = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0
`);
