import { CacheConfigError } from '../../core/cache.errors';
import type { RedisClient } from './redis.connection';
import type { RedisStoreOptions } from './redis-store.options';

const SOURCES = ['url', 'options', 'cluster', 'sentinel', 'client'] as const;

/** Whether a user's client already fails fast on its own: no offline queue, a short enough deadline. */
export function hasFailFastDeadline(client: RedisClient, timeout: number): boolean {
  const opts = client.options as { commandTimeout?: number; enableOfflineQueue?: boolean; redisOptions?: object };
  const node = (client.isCluster ? opts.redisOptions : opts) as { commandTimeout?: number } | undefined;
  const deadline = node?.commandTimeout;
  return opts.enableOfflineQueue === false && typeof deadline === 'number' && deadline <= timeout;
}

/** Checks the options of one Redis store; throws a CacheConfigError naming the store and field. */
export function validateRedisOptions(options: RedisStoreOptions, name: string, namespace: string): void {
  if (options === null || typeof options !== 'object') {
    throw new CacheConfigError(`stores.${name}: Redis options must be an object`, name);
  }
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw new CacheConfigError(
      `stores.${name}: a Redis store needs a non-empty prefix, so clear() never touches other keys`,
      name,
      'prefix',
    );
  }
  const given = SOURCES.filter((s) => options[s] !== undefined);
  const sources = given.filter((s) => !(s === 'options' && given.includes('url')));
  if (sources.length !== 1) {
    throw new CacheConfigError(
      `stores.${name}: give exactly one of url, options, cluster, sentinel or client (got ${given.join(', ') || 'none'})`,
      name,
      sources[1] ?? 'url',
    );
  }
  const timeout = options.timeout ?? 1000;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
    throw new CacheConfigError(`stores.${name}.timeout must be a positive number of ms`, name, 'timeout');
  }
  const keyPrefix = (options.options ?? options.sentinel ?? options.cluster?.options?.redisOptions)?.keyPrefix;
  if (keyPrefix !== undefined) {
    throw new CacheConfigError(
      `stores.${name}: ioredis "keyPrefix" is not supported; use the store's "prefix" instead`,
      name,
      'keyPrefix',
    );
  }
  if (options.cluster && !Array.isArray(options.cluster.nodes)) {
    throw new CacheConfigError(`stores.${name}.cluster.nodes must be an array of nodes`, name, 'cluster');
  }
  if (options.client && typeof (options.client as { duplicate?: unknown }).duplicate !== 'function') {
    throw new CacheConfigError(`stores.${name}.client must be an ioredis Redis or Cluster`, name, 'client');
  }
}
