import { CacheConfigError } from '../../core/cache.errors';
import { redactSecrets } from '../../core/format';
import { optionKeys, storeOptionChecks } from '../../core/option-checks';
import { parseDurationOption, type MsOrDuration, type Ttl } from '../../core/ttl';
import { resolveStorePipeline, type StorePipeline, type ValuePipelineOptions } from '../../core/pipeline';
import type { CacheSerializer } from '../../core/serializer';

/*
 * These types describe ioredis options structurally, so that the package's type declarations
 * never import 'ioredis' (an optional peer). ioredis' own `RedisOptions`, `ClusterOptions`,
 * `Redis` and `Cluster` are assignable to them.
 */

/**
 * ioredis connection options (`RedisOptions`), passed to ioredis as they are: `host`, `port`,
 * `username`/`password` (ACL), `db`, `tls`, `keyPrefix` is refused (the cache namespaces keys itself).
 * @example { host: '10.0.0.5', port: 6380, username: 'app', password: process.env.REDIS_PASSWORD, tls: {} }
 */
export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  /** Node `tls.connect` options; `{}` turns TLS on with the defaults. */
  tls?: object;
  connectTimeout?: number;
  // `any` is the only index type an interface such as ioredis' `RedisOptions` is assignable to.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [option: string]: any;
}

/** One node of a Cluster or a Sentinel: `{ host, port }`, or `'host:port'` for Cluster nodes. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** `cluster`: a Redis Cluster reached through some of its nodes. */
export interface RedisClusterConfig {
  /**
   * Start-up nodes; the rest of the cluster is discovered from them.
   * @example [{ host: '10.0.0.1', port: 7000 }, '10.0.0.2:7000']
   */
  nodes: readonly (RedisNodeAddress | string)[];
  /**
   * ioredis `ClusterOptions` (such as `scaleReads`, `natMap`); per-node connection options
   * (password, tls) go in `options.redisOptions`.
   */
  options?: RedisConnectionOptions;
}

/**
 * `sentinel`: a master found through Redis Sentinel. Any other ioredis option (password of the
 * data nodes, `sentinelPassword`, `tls`, `db`) may be given here too.
 * @example { sentinels: [{ host: '10.0.0.9', port: 26379 }], name: 'mymaster', password: 's3cret' }
 */
export interface RedisSentinelConfig extends RedisConnectionOptions {
  sentinels: readonly RedisNodeAddress[];
  /** The master group name, as in `sentinel monitor <name> ...`. */
  name: string;
}

/**
 * An ioredis `Redis` or `Cluster` the application already owns. The store never closes it, and
 * uses `duplicate()` for its own pub/sub connection.
 */
export interface RedisClientLike {
  readonly status: string;
  duplicate(...args: never[]): unknown;
  quit(): Promise<unknown>;
}

/** Options of `driver: 'redis'`. Give one of `url`, `options`, `cluster`, `sentinel` or `client`. */
export interface RedisStoreOptions extends ValuePipelineOptions {
  /**
   * `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. May be combined with `options`.
   * @example 'redis://app:s3cret@10.0.0.5:6379/2'
   */
  url?: string;
  /** ioredis connection options; alone, or on top of `url`. */
  options?: RedisConnectionOptions;
  /** Connect to a Redis Cluster. */
  cluster?: RedisClusterConfig;
  /** Connect through Redis Sentinel. */
  sentinel?: RedisSentinelConfig;
  /** Use a connection the application owns (an ioredis `Redis` or `Cluster`); it is not closed by the store. */
  client?: RedisClientLike;
  /**
   * Longest wait for any one operation. number: milliseconds; string: a duration such as '2s'.
   * Reads that take longer fail open (a miss); commands are never parked in an offline queue
   * while Redis is unreachable.
   * @default 1000
   * @example timeout: '250ms'
   */
  timeout?: MsOrDuration;
  /**
   * `false`: `manager.ready()` (and Nest start-up) starts connecting and waits at most `timeout`
   * for the first answer, so a reachable Redis is ready for the first request. An unreachable
   * one never stops start-up (see `requireOnStartup`). `true`: nothing connects before the
   * first operation.
   * @default false
   */
  lazyConnect?: boolean;
  /**
   * `true`: start-up waits for Redis (at most `connectTimeout`) and fails with a
   * `CacheUnavailableError` naming the store when it cannot connect (a `CacheConfigError` at
   * once when Redis refuses the credentials). `false`: an unreachable Redis logs one warning
   * naming the store and its address, the store reports `down` and fails open, and it connects
   * in the background.
   * @default false
   */
  requireOnStartup?: boolean;
  /**
   * How long start-up waits for Redis with `requireOnStartup`: seconds or a duration string,
   * like a TTL. (ioredis' `options.connectTimeout` is something else: the limit, in ms, of one
   * socket attempt.)
   * @default '10s'
   */
  connectTimeout?: Ttl;
  /**
   * How values become text. Counters (`increment`) are always stored as decimal text, so a
   * custom serializer must read decimal numbers back as numbers.
   * @default defaultSerializer (format v1, see the docs)
   */
  serializer?: CacheSerializer;
  /**
   * Keys fetched per SCAN step of `clear()` (deleted with UNLINK in the same batches).
   * @default 1000
   */
  scanCount?: number;
}

/** Where a Redis store connects: the connection part of {@link RedisStoreOptions}. */
export type RedisTarget = Pick<RedisStoreOptions, 'url' | 'options' | 'cluster' | 'sentinel' | 'client' | 'timeout'>;

/** The keys of {@link RedisTarget}: a Redis store's connection options, and a tiered store's `bus`. */
export const REDIS_TARGET_KEYS = optionKeys<RedisTarget>()([
  'url',
  'options',
  'cluster',
  'sentinel',
  'client',
  'timeout',
]);

/** Whether `target` says where to connect (`{ timeout }` alone does not). */
export function namesRedisConnection(target: RedisTarget): boolean {
  return REDIS_TARGET_KEYS.some((key) => key !== 'timeout' && target[key] !== undefined);
}

/** Every default of a Redis store, written once. */
export const REDIS_DEFAULTS = {
  /** ms per operation */
  timeout: 1000,
  /** ms start-up waits with `requireOnStartup` */
  connectTimeout: 10_000,
  scanCount: 1000,
  lazyConnect: false,
  requireOnStartup: false,
} as const;

/** The validated options of one Redis store, every default applied. */
export interface ResolvedRedisStoreOptions extends RedisTarget {
  /** ms */
  timeout: number;
  connectTimeout: number;
  scanCount: number;
  lazyConnect: boolean;
  requireOnStartup: boolean;
  /** The values' serializer, with `compress`/`encrypt` applied. */
  serializer: CacheSerializer;
  /** `serializer` and `hashKeys`, from the pipeline options. */
  pipeline: StorePipeline;
}

const SOURCES = ['url', 'options', 'cluster', 'sentinel', 'client'] as const;
const SCHEMES = ['redis://', 'rediss://'];

/**
 * Checks the options of one Redis store and applies the defaults; throws a `CacheConfigError`
 * naming the store and the field.
 */
export function resolveRedisStoreOptions(
  options: RedisStoreOptions,
  store: string,
  namespace: string,
): ResolvedRedisStoreOptions {
  const check = storeOptionChecks(store);
  if (options === null || typeof options !== 'object') check.fail('', 'an object of Redis options', options);
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw new CacheConfigError(
      `stores.${store}: a Redis store needs a non-empty prefix, so clear() never touches other keys`,
      store,
      'prefix',
    );
  }
  const given = SOURCES.filter((s) => options[s] !== undefined);
  const sources = given.filter((s) => !(s === 'options' && given.includes('url')));
  if (sources.length !== 1) {
    throw new CacheConfigError(
      `stores.${store}: give exactly one of url, options, cluster, sentinel or client (got ${given.join(', ') || 'none'})`,
      store,
      sources[1] ?? 'url',
    );
  }
  checkRedisUrl(options.url, store, 'url');
  const keyPrefix = (options.options ?? options.sentinel ?? options.cluster?.options?.redisOptions)?.keyPrefix;
  if (keyPrefix !== undefined) {
    throw new CacheConfigError(
      `stores.${store}: ioredis "keyPrefix" is not supported; use the store's "prefix" instead`,
      store,
      'keyPrefix',
    );
  }
  if (options.cluster && !Array.isArray(options.cluster.nodes)) {
    check.fail('cluster', 'an object with a nodes array', options.cluster);
  }
  if (options.client && typeof (options.client as { duplicate?: unknown }).duplicate !== 'function') {
    check.fail('client', 'an ioredis Redis or Cluster', 'an object without duplicate()');
  }
  const lazyConnect = check.boolean('lazyConnect', options.lazyConnect, REDIS_DEFAULTS.lazyConnect);
  const requireOnStartup = check.boolean('requireOnStartup', options.requireOnStartup, REDIS_DEFAULTS.requireOnStartup);
  if (lazyConnect && requireOnStartup) {
    throw new CacheConfigError(
      `stores.${store}: requireOnStartup waits for Redis at start-up, lazyConnect defers connecting: choose one`,
      store,
      'lazyConnect',
    );
  }
  const pipeline = resolveStorePipeline(options, check);
  return {
    url: options.url,
    options: options.options,
    cluster: options.cluster,
    sentinel: options.sentinel,
    client: options.client,
    timeout: check.msOrDuration('timeout', options.timeout, REDIS_DEFAULTS.timeout),
    connectTimeout: parseDurationOption(options.connectTimeout, store, 'connectTimeout', REDIS_DEFAULTS.connectTimeout),
    scanCount: check.positiveInt('scanCount', options.scanCount, REDIS_DEFAULTS.scanCount),
    lazyConnect,
    requireOnStartup,
    serializer: pipeline.serializer,
    pipeline,
  };
}

/** A `url` must be a Redis URL: anything else would reach ioredis as a socket path (`connect ENOENT`). */
export function checkRedisUrl(url: unknown, store: string, field: string): void {
  if (url === undefined || (typeof url === 'string' && SCHEMES.some((s) => url.startsWith(s)))) return;
  const got = typeof url === 'string' ? JSON.stringify(redactSecrets(url)) : typeof url;
  throw new CacheConfigError(
    `stores.${store}.${field} must be a redis:// URL (rediss:// for TLS), got ${got}`,
    store,
    field,
  );
}
