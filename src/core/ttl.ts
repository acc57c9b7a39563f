import { CacheArgumentError, CacheConfigError } from './cache.errors';

/**
 * A time-to-live: a number of **seconds** (fractional allowed) or a duration string such as
 * `'500ms'`, `'30s'`, `'10m'`, `'1h'`, `'7d'`, `'2w'`.
 */
export type Ttl = number | `${number}${DurationUnit}` | string;
type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w';

/**
 * A timeout or an interval of an option such as a store's `timeout` or `pruneInterval`.
 * number: milliseconds; string: a duration such as '2s' (`'50ms'`, `'2s'`, `'1m'`...).
 * (A TTL, {@link Ttl}, reads a number as seconds instead.)
 * @example { driver: 'redis', url, timeout: '2s' } // the same as timeout: 2000
 */
export type MsOrDuration = number | `${number}${DurationUnit}` | string;

/** The longest delay a Node.js timer honours (2^31 - 1 ms); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** How an error message states {@link MAX_TIMER_MS}. */
export const TIMER_LIMIT = `${MAX_TIMER_MS} ms (about 24.8 days, the longest a timer can wait)`;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d|w)\s*$/;
/** The largest TTL we accept: about 285 years, far inside what timers and Redis PX can hold. */
const MAX_TTL_MS = 2 ** 53 / 1000;

/**
 * Parses a TTL into whole milliseconds (at least 1).
 *
 * @param input seconds or a duration string
 * @param what  names the argument in the error message (`'ttl'`, `'stores.mem.ttl'`...)
 * @throws CacheArgumentError for zero, negative, NaN, Infinity or unparsable input
 * @example parseTtl('10m') // 600000
 */
export function parseTtl(input: Ttl, what = 'ttl'): number {
  let ms: number;
  if (typeof input === 'number') {
    if (Number.isNaN(input) || input <= 0) {
      throw new CacheArgumentError(
        `Invalid ${what}: ${String(input)}. Expected a positive number of seconds or a duration such as '30s' or '10m'`,
      );
    }
    if (!Number.isFinite(input)) {
      throw new CacheArgumentError(
        `Invalid ${what}: Infinity. Use forever() or rememberForever() for entries that never expire`,
      );
    }
    ms = input * 1000;
  } else if (typeof input === 'string') {
    const known = parsed.get(input);
    if (known !== undefined) return known;
    const match = DURATION.exec(input);
    if (!match) {
      throw new CacheArgumentError(
        `Invalid ${what}: ${JSON.stringify(input)}. Expected a duration such as '500ms', '30s', '10m', '1h' or '7d'`,
      );
    }
    ms = Number(match[1]) * UNIT_MS[match[2]];
    if (ms <= 0) throw new CacheArgumentError(`Invalid ${what}: ${JSON.stringify(input)} is not positive`);
  } else {
    throw new CacheArgumentError(
      `Invalid ${what}: expected seconds or a duration string, got ${input === null ? 'null' : typeof input}`,
    );
  }
  if (ms > MAX_TTL_MS) throw new CacheArgumentError(`Invalid ${what}: ${String(input)} is too large`);
  const result = Math.max(1, Math.round(ms));
  // Duration strings repeat (decorators, remember in loops): remember the few an app uses.
  if (typeof input === 'string' && parsed.size < 1000) parsed.set(input, result);
  return result;
}

const parsed = new Map<string, number>();

/** Parses an optional TTL: `undefined` stays `undefined` (meaning: use the default). */
export function parseOptionalTtl(input: Ttl | undefined, what = 'ttl'): number | undefined {
  return input === undefined ? undefined : parseTtl(input, what);
}

/**
 * For store authors: the absolute expiry, in **epoch milliseconds**, of an entry written now with
 * a TTL of `ttlMs` **milliseconds** (what the store contract receives), or `Infinity` when there
 * is none.
 * @example computeExpiryMs(30_000, Date.now()) // 30 s from now, in epoch ms
 */
export function computeExpiryMs(ttlMs: number | undefined, now: number = Date.now()): number {
  return ttlMs === undefined ? Infinity : now + ttlMs;
}

/**
 * For store authors: the remaining lifetime, in **milliseconds** (what `CacheStore.ttl` returns),
 * of an entry that expires at `expiresAtMs` (epoch ms): `Infinity` when it never expires,
 * `undefined` once it has expired. Never more than was set: whole milliseconds, rounded down.
 * @example remainingTtlMs(computeExpiryMs(30_000, t), t) // 30000
 */
export function remainingTtlMs(expiresAtMs: number, now: number = Date.now()): number | undefined {
  if (expiresAtMs === Infinity) return Infinity;
  const left = Math.floor(expiresAtMs - now);
  return left > 0 ? left : undefined;
}

/**
 * The same as {@link computeExpiryMs} (milliseconds in, epoch milliseconds out); kept under the
 * name DESIGN.md lists.
 */
export function computeExpiry(ttlMs: number | undefined, now: number = Date.now()): number {
  return computeExpiryMs(ttlMs, now);
}

/**
 * Remaining lifetime in **seconds** (the user's unit, as `cache.ttl()` answers) of an entry that
 * expires at `expiresAt` (epoch ms): `Infinity` when it never expires, `undefined` once expired.
 * A store's `ttl()` returns milliseconds: use {@link remainingTtlMs} there.
 */
export function remainingTtl(expiresAt: number, now: number = Date.now()): number | undefined {
  const ms = remainingTtlMs(expiresAt, now);
  return ms === undefined || ms === Infinity ? ms : ms / 1000;
}

/**
 * Reads a {@link MsOrDuration} into milliseconds: a finite number as it is (at least 0 with
 * `min: 0`, above 0 otherwise), a duration string through {@link parseTtl} (always above 0).
 * `undefined` for anything else; the caller words the error, and checks {@link MAX_TIMER_MS}.
 * @example msOfDuration('2s') // 2000
 */
export function msOfDuration(value: unknown, min: 0 | 'positive' = 'positive'): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && (min === 0 ? value >= 0 : value > 0) ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  try {
    return parseTtl(value);
  } catch {
    return undefined;
  }
}

/**
 * Parses a duration option of a store (such as `connectTimeout`): seconds or a duration string,
 * like every TTL; `fallbackMs` when unset. Returns milliseconds.
 * @throws CacheConfigError naming `stores.<store>.<field>`
 * @example parseDurationOption('10s', 'redis', 'connectTimeout', 10_000) // 10000
 */
export function parseDurationOption(value: Ttl | undefined, store: string, field: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  if (value === Infinity) {
    // Not a TTL: parseTtl's advice (forever()) does not apply to a timeout or an interval.
    throw new CacheConfigError(
      `Invalid stores.${store}.${field}: Infinity. Expected a finite number of seconds or a duration such as '30s'`,
      store,
      field,
    );
  }
  let ms: number;
  try {
    ms = parseTtl(value, `stores.${store}.${field}`);
  } catch (err) {
    throw new CacheConfigError((err as Error).message, store, field);
  }
  if (ms > MAX_TIMER_MS) {
    throw new CacheConfigError(
      `Invalid stores.${store}.${field}: ${String(value)}. At most ${TIMER_LIMIT}`,
      store,
      field,
    );
  }
  return ms;
}

/**
 * The TTL argument of `forever` and `rememberForever`: never expires, whatever the defaults.
 * Internal: users write `forever()`, never this symbol.
 */
export const FOREVER: unique symbol = Symbol.for('nestjs-cachekit:forever');
/** A TTL as the cache receives it: given, {@link FOREVER}, or omitted (the default applies). */
export type TtlArg = Ttl | typeof FOREVER | undefined;

/** The TTL in ms of a write: `undefined` never expires; an omitted TTL takes `defaultMs`. */
export function resolveTtlArg(ttl: TtlArg, defaultMs: number | undefined): number | undefined {
  if (ttl === FOREVER) return undefined;
  if (ttl === undefined) return defaultMs;
  return parseTtl(ttl);
}

/**
 * The warning for a numeric TTL that looks like milliseconds where seconds are expected
 * (at least 60,000 and a multiple of 1,000: `ttl: 60000` meant as a minute is 16.7 hours, the
 * classic slip when coming from @nestjs/cache-manager), or `undefined` for any other TTL.
 *
 * @param place where the TTL was given, as the user wrote it (`stores.mem.ttl`, `@Cacheable ttl of Products.find`)
 * @example msLookingTtlWarning(60000, 'ttl')
 * // "ttl: 60000 is read as seconds (16.7 hours). If you meant 60000 ms, write '1m' (a duration string)."
 */
export function msLookingTtlWarning(ttl: unknown, place: string): string | undefined {
  if (typeof ttl !== 'number' || !(ttl >= 60_000) || ttl % 1000 !== 0 || !Number.isFinite(ttl)) return undefined;
  return `${place}: ${ttl} is read as seconds (${humanSeconds(ttl)}). If you meant ${ttl} ms, write '${durationOf(ttl)}' (a duration string).`;
}

/** `ms` as the shortest exact duration string: `'1m'`, `'90s'`, `'2h'`. */
function durationOf(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

function humanSeconds(seconds: number): string {
  const hours = seconds / 3600;
  return hours >= 48 ? `${Math.round((hours / 24) * 10) / 10} days` : `${Math.round(hours * 10) / 10} hours`;
}
