// One hit of a rate limit (`nestjs-cachekit/throttler`), as a pure step over a small record, with
// exactly the rules of @nestjs/throttler 6's built-in in-memory storage (ThrottlerStorageService):
// hits expire one by one `ttlMs` after they were counted (a sliding log), the window reported as
// `timeToExpire` restarts when it has run out, a caller over `limit` is blocked for `blockMs`
// during which hits are not counted, and the first hit after the block starts counting afresh.
// Stores that keep the record as a value (file, PostgreSQL, in-process stores) run this step
// under their own atomicity; the Redis store runs the same rules as one Lua script.

/** One hit of a rate limit, in the store contract's unit (milliseconds). */
export interface ThrottleHit {
  /** How long each hit counts (the throttler's `ttl`), in ms; positive. */
  ttlMs: number;
  /** Hits allowed while they count (the throttler's `limit`). */
  limit: number;
  /** How long a caller over the limit is blocked, in ms; 0: only until its oldest hit expires. */
  blockMs: number;
}

/** What one hit resolves, in ms (the throttler storage turns it into the throttler's seconds). */
export interface ThrottleResult {
  /** Hits counting now (the throttler's `totalHits`). */
  totalHits: number;
  /** Whether this hit is refused. */
  isBlocked: boolean;
  /** Milliseconds until the current window ends (the throttler's `timeToExpire`, in ms). */
  expiresInMs: number;
  /** Milliseconds until the block ends; 0 when not blocked (the throttler's `timeToBlockExpire`, in ms). */
  blockExpiresInMs: number;
}

/**
 * The record a store keeps per throttled key (plain JSON): window end `e`, block end `b` (0: none),
 * `k` 1 while blocked, and the expiry of every hit still counting, oldest first, in `h` (epoch ms).
 */
export interface ThrottleRecord {
  e: number;
  b: number;
  k: 0 | 1;
  h: number[];
}

/** The outcome of {@link throttleStep}: the record to store, for how long, and the answer. */
export interface ThrottleStepOutcome {
  record: ThrottleRecord;
  /** Milliseconds the record must be kept (until its last hit, window or block ends). */
  keepMs: number;
  result: ThrottleResult;
}

/**
 * Applies one hit at `now` (epoch ms) to `previous` (what the store kept, or `undefined`; anything
 * that is not a well-formed record starts afresh) and returns the new record and the answer.
 * Pure: `previous` is not modified. For authors of stores implementing `throttle`.
 */
export function throttleStep(previous: unknown, hit: ThrottleHit, now: number): ThrottleStepOutcome {
  const { ttlMs, limit, blockMs } = hit;
  const old = isRecord(previous) ? previous : undefined;
  let e = old ? old.e : now + ttlMs;
  let b = old ? old.b : 0;
  let k = old ? old.k : 0;
  const hits = old ? old.h.filter((at) => at > now) : [];
  if (e - now <= 0) e = now + ttlMs;
  let totalHits: number;
  let isBlocked: boolean;
  let blockExpiresInMs = 0;
  if (blockMs <= 0) {
    // Blocked only while `limit` hits still count; free again when the oldest of them expires.
    isBlocked = hits.length >= limit;
    if (!isBlocked) hits.push(now + ttlMs);
    totalHits = hits.length + (isBlocked ? 1 : 0);
    if (isBlocked) blockExpiresInMs = (hits.length ? extreme(hits, Math.min) : e) - now;
  } else {
    if (k === 0) hits.push(now + ttlMs);
    if (hits.length > limit && k === 0) {
      k = 1;
      b = now + blockMs;
    }
    if (k === 1 && b - now <= 0) {
      // The block is over: this hit is the first of a fresh count.
      k = 0;
      hits.length = 0;
      hits.push(now + ttlMs);
      // Only `limit: 0` is over at once: it stays refused (the built-in storage lets this one through).
      if (hits.length > limit) {
        k = 1;
        b = now + blockMs;
      }
    }
    totalHits = hits.length;
    isBlocked = k === 1;
    if (isBlocked) blockExpiresInMs = b - now;
  }
  const record: ThrottleRecord = { e, b, k, h: hits };
  const keepMs = Math.max(e, k === 1 ? b : 0, hits.length ? extreme(hits, Math.max) : 0) - now;
  return { record, keepMs, result: { totalHits, isBlocked, expiresInMs: e - now, blockExpiresInMs } };
}

/** Checks a throttle hit's numbers (they come from the throttler's options). */
export function throttleHitProblem(hit: ThrottleHit): string | undefined {
  if (!(Number.isFinite(hit.ttlMs) && hit.ttlMs > 0)) return `ttl must be a positive number of ms, got ${hit.ttlMs}`;
  if (!(Number.isInteger(hit.limit) && hit.limit >= 0)) return `limit must be a whole number ≥ 0, got ${hit.limit}`;
  if (!Number.isFinite(hit.blockMs)) return `blockDuration must be a number of ms, got ${hit.blockMs}`;
  return undefined;
}

/** The least or greatest of `values` (a loop: a limit can be larger than the spread argument limit). */
function extreme(values: readonly number[], pick: (a: number, b: number) => number): number {
  let out = values[0];
  for (let i = 1; i < values.length; i++) out = pick(out, values[i]);
  return out;
}

function isRecord(v: unknown): v is ThrottleRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<ThrottleRecord>;
  return (
    typeof r.e === 'number' &&
    typeof r.b === 'number' &&
    (r.k === 0 || r.k === 1) &&
    Array.isArray(r.h) &&
    r.h.every((at) => typeof at === 'number')
  );
}
