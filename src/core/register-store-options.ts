import { CacheConfigError } from './cache.errors';
import { optionKeys, unknownOption } from './option-checks';
import type { CacheLogger } from './logger';
import { msLookingTtlWarning, parseOptionalTtl, type Ttl } from './ttl';

/** Options of `CacheManager.registerStore`. */
export interface RegisterStoreOptions {
  /** Default TTL of the store: seconds or a duration string. @default the module's `ttl` (none: no expiry) */
  ttl?: Ttl;
  /** The store's own prefix, joined after the module prefix (`shop` + `v2` → `shop:v2:<key>`). */
  prefix?: string;
  /** Default for `remember`'s `lock` option on this store. @default false */
  lock?: boolean;
}

const REGISTER_STORE_KEYS = optionKeys<RegisterStoreOptions>()(['ttl', 'prefix', 'lock']);

/**
 * Checks the arguments of `registerStore(name, store, options)` before anything is registered:
 * a non-empty name not already taken (replacing a store would leave its connection open and its
 * `@InjectCache` holders on the old one), a string prefix, a valid TTL (with the warning for one
 * that looks like milliseconds). Returns the store's default TTL in ms.
 * @throws CacheConfigError naming the store and the field
 */
export function checkRegisterStore(
  name: string,
  options: RegisterStoreOptions,
  known: readonly string[],
  logger: CacheLogger,
): number | undefined {
  if (typeof name !== 'string' || !name)
    throw new CacheConfigError('registerStore(name): name must be a non-empty string', name, 'name');
  const where = `registerStore(${JSON.stringify(name)})`;
  if (known.includes(name)) {
    throw new CacheConfigError(
      `${where}: a store named "${name}" is already configured (known stores: ${known.join(', ')}); register it under another name`,
      name,
      'name',
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new CacheConfigError(`${where}: options must be an object`, name, 'options');
  }
  const unknown = unknownOption(options, REGISTER_STORE_KEYS, where);
  if (unknown) throw new CacheConfigError(unknown.message, name, unknown.key);
  if (options.lock !== undefined && typeof options.lock !== 'boolean') {
    throw new CacheConfigError(`${where}: lock must be true or false`, name, 'lock');
  }
  if (options.prefix !== undefined && typeof options.prefix !== 'string') {
    throw new CacheConfigError(`${where}: prefix must be a string`, name, 'prefix');
  }
  let ttlMs: number | undefined;
  try {
    ttlMs = parseOptionalTtl(options.ttl, `${where} ttl`);
  } catch (err) {
    throw new CacheConfigError((err as Error).message, name, 'ttl');
  }
  const warning = msLookingTtlWarning(options.ttl, `${where} ttl`);
  if (warning) logger.warn(warning);
  return ttlMs;
}
