import { CacheArgumentError } from '../../core/cache.errors';
import { optionKeys, unknownOption } from '../../core/option-checks';
import type { CacheEvictOptions } from '../interfaces/cache-evict-options.interface';
import type { CacheLockOptions } from '../interfaces/cache-lock-options.interface';
import type { CachePutOptions } from '../interfaces/cache-put-options.interface';
import type { CacheableOptions } from '../interfaces/cacheable-options.interface';
import { placeOf } from './decorator-ttls';

/** What an option holds; TTLs and tags are checked by their own helpers. */
type Kind = 'key' | 'keys' | 'string' | 'strings' | 'boolean' | 'function' | 'checked elsewhere';

const CACHEABLE = shape(
  optionKeys<CacheableOptions>()(['key', 'ttl', 'store', 'staleTtl', 'lock', 'condition', 'unless', 'vary']),
  {
    key: 'key',
    store: 'string',
    lock: 'boolean',
    condition: 'function',
    unless: 'function',
    vary: 'strings',
  },
);
const CACHE_EVICT = shape(
  optionKeys<CacheEvictOptions>()(['keys', 'tags', 'allEntries', 'beforeInvocation', 'store']),
  {
    keys: 'keys',
    allEntries: 'boolean',
    beforeInvocation: 'boolean',
    store: 'string',
  },
);
const CACHE_PUT = shape(optionKeys<CachePutOptions>()(['key', 'ttl', 'store']), { key: 'key', store: 'string' });
const CACHE_LOCK = shape(optionKeys<CacheLockOptions>()(['ttl', 'wait', 'store']), { store: 'string' });

const SHAPES = { Cacheable: CACHEABLE, CacheEvict: CACHE_EVICT, CachePut: CACHE_PUT, CacheLock: CACHE_LOCK };

function shape(keys: readonly string[], kinds: Record<string, Kind>): Record<string, Kind> {
  return Object.fromEntries(keys.map((k) => [k, kinds[k] ?? 'checked elsewhere']));
}

const IS: Record<Kind, (v: unknown) => boolean> = {
  key: (v) => (typeof v === 'string' && v.length > 0) || typeof v === 'function',
  keys: (v) => Array.isArray(v) && v.every(IS.key),
  string: (v) => typeof v === 'string' && v.length > 0,
  strings: (v) => Array.isArray(v) && v.every(IS.string),
  boolean: (v) => typeof v === 'boolean',
  function: (v) => typeof v === 'function',
  'checked elsewhere': () => true,
};

const EXPECTED: Record<Kind, string> = {
  key: 'a non-empty string (a template such as "user:{0}") or a function of the arguments',
  keys: 'an array of keys (strings or functions of the arguments)',
  string: 'a non-empty string',
  strings: 'an array of non-empty strings',
  boolean: 'true or false',
  function: 'a function',
  'checked elsewhere': '',
};

/**
 * Checks a cache decorator's options where it is applied, so that a typo (`tll`, `key` on
 * `@CacheEvict`) or a wrong type fails at start-up naming `@Decorator on Class.method`, rather
 * than being ignored or failing at each call with a JavaScript error.
 * @throws CacheArgumentError naming the decorator, the method and the option.
 */
export function checkDecoratorOptions(
  decorator: keyof typeof SHAPES,
  target: object,
  method: string | symbol | undefined,
  options: unknown,
): void {
  const where = `@${decorator} on ${placeOf(target, method)}`;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new CacheArgumentError(`${where}: options must be an object, got ${describe(options)}`);
  }
  const kinds = SHAPES[decorator];
  const known = Object.keys(kinds);
  const given = options as Record<string, unknown>;
  const unknown = unknownOption(given, known, where);
  if (unknown) throw new CacheArgumentError(unknown.message);
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined && !IS[kinds[name]](value)) {
      throw new CacheArgumentError(`${where}: ${name} must be ${EXPECTED[kinds[name]]}, got ${describe(value)}`);
    }
  }
  if (decorator === 'CachePut' && given.key === undefined) {
    throw new CacheArgumentError(`${where}: key is required (the key the result is stored under)`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
