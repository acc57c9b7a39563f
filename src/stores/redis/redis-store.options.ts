import type { CacheSerializer } from '../../core/value-codec';

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
export interface RedisStoreOptions {
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
   * Longest wait for any one operation, in ms. Reads that take longer fail open (a miss);
   * commands are never parked in an offline queue while Redis is unreachable.
   * @default 1000
   */
  timeout?: number;
  /**
   * When `false`, `manager.ready()` (and Nest start-up) connects and fails with a clear error if
   * Redis is unreachable. When `true`, the first operation connects.
   * @default false
   */
  lazyConnect?: boolean;
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
