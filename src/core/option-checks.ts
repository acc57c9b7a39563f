import { parseByteSize } from './byte-size';
import { CacheConfigError } from './cache.errors';
import { MAX_TIMER_MS, msOfDuration, TIMER_LIMIT } from './ttl';

/**
 * The checks every options object goes through (the module's, each driver's), so that a bad
 * option reads the same wherever it is: "`<path>.<field>` must be <expected>, got <value>", as a
 * {@link CacheConfigError} carrying `store` and `field`. Drivers call these from their one
 * `resolve<Driver>StoreOptions` function; they run at construction only, never on a hot path.
 */
export class OptionChecks {
  /**
   * @param store the store's name (undefined for the module's own options)
   * @param path how the user spells this options object: `stores.<name>` or empty for the module
   */
  constructor(
    readonly store: string | undefined,
    readonly path: string = store === undefined ? '' : `stores.${store}`,
  ) {}

  /** Where `field` sits, as the user wrote it: `stores.disk.maxEntries`, or `ttl` at the top. */
  at(field: string): string {
    return this.path ? `${this.path}.${field}` : field;
  }

  /** The one message shape of a bad option. */
  error(field: string, expected: string, got: unknown): CacheConfigError {
    return new CacheConfigError(`${this.at(field)} must be ${expected}, got ${describe(got)}`, this.store, field);
  }

  fail(field: string, expected: string, got: unknown): never {
    throw this.error(field, expected, got);
  }

  /** Every key of `options` is in `known`; otherwise an error naming it and the closest known key. */
  knownKeys(options: object, known: readonly string[]): void {
    for (const key of Object.keys(options)) {
      if (known.includes(key)) continue;
      const near = closestKey(key, known);
      const hint = near ? `; did you mean "${near}"?` : `. Known options: ${known.join(', ')}`;
      throw new CacheConfigError(`${this.at(key)} is not a known option${hint}`, this.store, key);
    }
  }

  /** A positive integer (a count or a number of bytes), or `fallback` when unset. */
  positiveInt<D extends number | undefined>(field: string, value: unknown, fallback: D): number | D {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      this.fail(field, 'a positive integer', value);
    }
    return value;
  }

  /**
   * A number of bytes or a size string such as `'64mb'` (1 kb = 1,024 bytes), at least `min`
   * (1 unless told: a limit of 0 bytes would refuse everything), or `fallback` when unset.
   */
  bytes<D extends number | undefined>(field: string, value: unknown, fallback: D, min: 0 | 1 = 1): number | D {
    if (value === undefined) return fallback;
    const bytes = parseByteSize(value);
    if (bytes === undefined || bytes < min) {
      this.fail(
        field,
        `${min === 0 ? 'a number of bytes' : 'a positive number of bytes'} or a size such as '1kb'`,
        value,
      );
    }
    return bytes;
  }

  /**
   * A finite number of milliseconds, at least `min` (0: zero allowed, e.g. "0 turns it off"),
   * for the options whose name says `Ms`; every other time option takes {@link msOrDuration}.
   */
  ms(field: string, value: unknown, fallback: number, min: 0 | 'positive' = 0): number {
    if (value === undefined) return fallback;
    const ms = typeof value === 'number' ? msOfDuration(value, min) : undefined;
    if (ms === undefined) this.fail(field, min === 0 ? 'a number of ms >= 0' : 'a number of ms > 0', value);
    return this.timerBound(field, ms, value);
  }

  /**
   * A `MsOrDuration`: a number of milliseconds (at least `min`: 0 allows "0 turns it off") or a
   * duration string such as `'2s'`, returned in ms, or `fallback` when unset.
   */
  msOrDuration(field: string, value: unknown, fallback: number, min: 0 | 'positive' = 'positive'): number {
    if (value === undefined) return fallback;
    const ms = msOfDuration(value, min);
    if (ms === undefined) {
      this.fail(field, `${min === 0 ? 'a number of ms >= 0' : 'a number of ms > 0'} or a duration such as '2s'`, value);
    }
    return this.timerBound(field, ms, value);
  }

  /** Node.js fires a timer set beyond {@link MAX_TIMER_MS} after 1 ms: a timeout of '30d' would fail every command. */
  private timerBound(field: string, ms: number, given: unknown): number {
    if (ms > MAX_TIMER_MS) this.fail(field, `at most ${TIMER_LIMIT}`, given);
    return ms;
  }

  /** One of `allowed`, or `fallback` when unset. */
  oneOf<T extends string | number | boolean>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) this.fail(field, `one of ${allowed.map((a) => describe(a)).join(', ')}`, value);
    return value as T;
  }

  /** A boolean, or `fallback` when unset. */
  boolean<D extends boolean | undefined>(field: string, value: unknown, fallback: D): boolean | D {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(field, 'a boolean', value);
    return value;
  }

  /** A string (non-empty if `nonEmpty`), or `fallback` when unset. */
  string<D extends string | undefined>(field: string, value: unknown, fallback: D, nonEmpty = false): string | D {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || (nonEmpty && value.length === 0)) {
      this.fail(field, nonEmpty ? 'a non-empty string' : 'a string', value);
    }
    return value;
  }
}

/** Checks for the options of store `store` (paths `stores.<store>.<field>`). */
export function storeOptionChecks(store: string): OptionChecks {
  return new OptionChecks(store);
}

/**
 * The first key of `options` that is not in `known`, with the sentence saying so for a call-site
 * check (`<where>: "tll" is not a known option; did you mean "ttl"? (known: ttl, prefix)`).
 */
export function unknownOption(
  options: object,
  known: readonly string[],
  where: string,
): { key: string; message: string } | undefined {
  const key = Object.keys(options).find((k) => !known.includes(k));
  if (key === undefined) return undefined;
  const near = closestKey(key, known);
  const hint = near ? `; did you mean "${near}"?` : '';
  return { key, message: `${where}: "${key}" is not a known option${hint} (known: ${known.join(', ')})` };
}

/**
 * The known key closest to `word` (case-insensitive edit distance), if it is close enough to be
 * a plausible typo: `store` → `stores`, `maxEntires` → `maxEntries`, `TTL` → `ttl`.
 */
export function closestKey(word: string, known: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    // An abbreviation or an extra suffix (`dir`, `stores2`) counts as one edit.
    const affix = w.length >= 3 && c.length >= 3 && (c.startsWith(w) || w.startsWith(c));
    const d = affix ? Math.min(1, editDistance(w, c)) : editDistance(w, c);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Levenshtein distance with adjacent transpositions counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (value === undefined || typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The keys of an options interface, checked complete at compile time: listing every key of `T`
 * once, so a new option cannot be added to the type and forgotten by the unknown-key check.
 *
 * @example
 * export const MEMORY_STORE_KEYS = optionKeys<MemoryStoreOptions>()(['maxEntries', 'maxBytes', 'clone', 'pruneInterval']);
 */
export function optionKeys<T>() {
  return <const K extends readonly (keyof T & string)[]>(
    keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, K[number]> }),
  ): readonly (keyof T & string)[] => keys;
}
