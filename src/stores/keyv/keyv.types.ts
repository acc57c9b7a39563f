/**
 * The shapes of Keyv objects, typed structurally. Keyv ships separate ESM and CommonJS
 * declarations, so a nominal `Keyv` type from one module system rejects an instance made by the
 * other; and `keyv` is an optional peer that must not leak into this package's declarations.
 * Anything with these members is accepted.
 */

/** A Keyv store adapter (`@keyv/redis`, `@keyv/mongo`, `@keyv/sqlite`, `@keyv/postgres`…). */
export interface KeyvStoreAdapterLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttl?: number): unknown;
  delete(key: string): Promise<boolean>;
  clear(): Promise<void>;
  namespace?: string | undefined;
  has?(key: string): Promise<boolean>;
  getMany?(keys: string[]): Promise<unknown[]>;
  deleteMany?(keys: string[]): Promise<boolean>;
  disconnect?(): Promise<void>;
  iterator?(namespace?: string): AsyncGenerator<unknown[], void>;
}

/** A `Keyv` instance (`new Keyv(...)`), recognised by its `opts`, `hooks` and `stats`. */
export interface KeyvLike {
  opts: object;
  hooks: object;
  stats: object;
  /** The Keyv default TTL in ms, if any. */
  ttl?: number | undefined;
  namespace?: string | undefined;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttl?: number): Promise<boolean>;
  delete(key: string | string[]): Promise<boolean>;
  clear(): Promise<void>;
  disconnect(): Promise<void>;
  has?(key: string): Promise<boolean>;
  getMany?(keys: string[]): Promise<unknown[]>;
  getRaw?(key: string): Promise<{ value?: unknown; expires?: number | null } | undefined>;
  iterator?: (namespace?: unknown) => AsyncGenerator<unknown[], void>;
}

/**
 * A `cacheable` `Cacheable` instance (a primary and an optional secondary Keyv), recognised by its
 * `primary`, `secondary` and `nonBlocking` members. It keeps its own serialization.
 */
export interface CacheableLike {
  primary: object;
  secondary?: object | undefined;
  nonBlocking: boolean;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttl?: number): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  clear(): Promise<void>;
  disconnect(): Promise<void>;
  getRaw?(key: string): Promise<{ value?: unknown; expires?: number | null } | undefined>;
}

/**
 * What `{ driver: 'keyv', store }` accepts: a Keyv instance, a Keyv store adapter, a `cacheable`
 * instance, or a `Map`.
 */
export type KeyvStoreTarget = KeyvLike | KeyvStoreAdapterLike | CacheableLike | Map<string, unknown>;

function hasFunctions(value: object, names: readonly string[]): boolean {
  return names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');
}

/**
 * Whether `value` is a Keyv instance. Duck-typed (as @nestjs/cache-manager 3.1.3+ does), because
 * `instanceof` fails across copies and module systems of `keyv`.
 */
export function isKeyvInstance(value: unknown): value is KeyvLike {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.opts === 'object' &&
    v.opts !== null &&
    typeof v.hooks === 'object' &&
    typeof v.stats === 'object' &&
    hasFunctions(value, ['get', 'set', 'delete', 'clear', 'disconnect'])
  );
}

/** Whether `value` is a `cacheable` instance (duck-typed as @nestjs/cache-manager does). */
export function isCacheableInstance(value: unknown): value is CacheableLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    'primary' in value &&
    'secondary' in value &&
    'nonBlocking' in value &&
    hasFunctions(value, ['get', 'set', 'delete', 'clear'])
  );
}

/** Whether the target keeps its own serialization and expiry (a Keyv or `cacheable` instance). */
export function keepsOwnFormat(value: unknown): value is KeyvLike | CacheableLike {
  return isKeyvInstance(value) || isCacheableInstance(value);
}

/** Whether `value` can be used as a Keyv store adapter (the four required methods). */
export function isKeyvAdapter(value: unknown): value is KeyvStoreAdapterLike {
  return value !== null && typeof value === 'object' && hasFunctions(value, ['get', 'set', 'delete', 'clear']);
}
