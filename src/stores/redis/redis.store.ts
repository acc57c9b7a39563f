// One concept: the CacheStore contract on Redis, method for method (a little over 300 lines only
// because every optional member is here). Each part lives in its own file: the connection and its
// failures (redis.connection), tick batching (redis.batching), commands and scripts
// (redis.commands, redis.scripts), locks and change notices, the tagged read, the bus.
import type { Cluster, Redis } from 'ioredis';
import { CacheArgumentError, CacheUnsupportedError } from '../../core/cache.errors';
import { consoleLogger } from '../../core/logger';
import { asyncCodec, readBatch, serializeEntries, withKeyHashing, type PipelineSerializer } from '../../core/pipeline';
import type { CacheStore, StoreContext, StoreEntry } from '../../core/store.types';
import type { CacheSerializer } from '../../core/serializer';
import { CoalescedReads, CoalescedWrites, setAll } from './redis.batching';
import { RedisConnection } from './redis.connection';
import { RedisLocks } from './redis.locks';
import { throttleOnRedis } from './redis.throttle';
import type { ThrottleHit, ThrottleResult } from '../../core/locks/throttle-step';
import type { ChangeNotifier } from './redis.notifier';
import {
  resolveRedisStoreOptions,
  type RedisTarget,
  type RedisStoreOptions,
  type ResolvedRedisStoreOptions,
} from './redis-store.options';
import { INCREMENT, PERSIST } from './redis.scripts';
import { groupBySlot } from './redis.slots';
import { redisGetWithTags } from './redis.tagged-read';
import { clearNode, clusterMget, escapeGlob, px, setWithTtl } from './redis.commands';

/** What the store needs from its surroundings; `createCacheManager` passes the full context. */
export type RedisStoreContext = Pick<StoreContext, 'namespace'> & Partial<Pick<StoreContext, 'name' | 'logger'>>;

/**
 * `driver: 'redis'`: a store on Redis, Redis Cluster or Redis Sentinel through ioredis (an
 * optional peer, loaded on first use). Every operation takes one round trip; the `get`s (and
 * `set`s) of one tick share one MGET (one socket write). Reads fail fast when Redis is down or slow,
 * and the connection recovers on its own.
 *
 * @example
 * const store = new RedisStore({ url: 'redis://127.0.0.1:6379' }, { namespace: 'app' });
 */
export class RedisStore implements CacheStore {
  private readonly ns: string;
  private readonly name: string;
  private readonly serializer: CacheSerializer;
  private readonly codec?: PipelineSerializer; // `compress`: large values off the event loop
  private readonly options: ResolvedRedisStoreOptions;
  private readonly conn: RedisConnection;
  private readonly locks: RedisLocks;
  /** Writes wake the waiters of their keys here; releases wake them in every process. */
  private readonly notifier: ChangeNotifier;
  /** Concurrent gets and sets of one tick share one MGET or pipeline (redis.batching.ts). */
  private readonly reads = new CoalescedReads();
  private readonly writes = new CoalescedWrites();

  constructor(options: RedisStoreOptions, context: RedisStoreContext) {
    const name = (this.name = context.name ?? 'redis');
    this.ns = context.namespace;
    this.options = resolveRedisStoreOptions(options, name, this.ns);
    this.serializer = this.options.serializer;
    this.codec = asyncCodec(this.serializer);
    this.conn = new RedisConnection(this.options, name, context.logger ?? consoleLogger);
    this.locks = new RedisLocks(this.conn, this.ns);
    this.notifier = this.locks.notifier;
    // hashKeys: the store only ever sees hashed keys (a constructor may return a view of itself).
    return withKeyHashing(this, this.options.pipeline, this.ns, name);
  }

  /**
   * Where this store connects (`url`, `options`, `cluster`, `sentinel` or `client`, and
   * `timeout`), for companions that need their own connection to the same Redis (the two-tier
   * store's invalidation bus).
   */
  get target(): RedisTarget {
    const { url, options, cluster, sentinel, client, timeout } = this.options;
    return { url, options, cluster, sentinel, client, timeout };
  }

  /**
   * Start-up: loads ioredis and, unless `lazyConnect`, starts connecting. Never fails for an
   * unreachable Redis unless `requireOnStartup` (then it waits up to `connectTimeout`).
   */
  init(): Promise<void> {
    return this.conn.init();
  }

  async get(key: string): Promise<unknown> {
    const c = this.conn.client ?? (await this.conn.connected('get'));
    let raw: string | null;
    try {
      raw = await this.conn.guarded(this.reads.run(c, key));
    } catch (err) {
      throw this.conn.failure('get', err);
    }
    if (raw === null) return undefined;
    return this.codec ? this.codec.deserializeAsync(raw, key) : this.serializer.deserialize(raw, key);
  }

  /** A tagged read in one round trip (see redis.tagged-read.ts). */
  getWithTags(key: string, tagKeys: readonly string[]): Promise<unknown[]> {
    return redisGetWithTags(this.conn, this.serializer, key, tagKeys);
  }

  async has(key: string): Promise<boolean> {
    const c = this.conn.client ?? (await this.conn.connected('has'));
    try {
      return (await this.conn.guarded(c.exists(key))) === 1;
    } catch (err) {
      throw this.conn.failure('has', err);
    }
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const text = this.codec ? await this.codec.serializeAsync(value, key) : this.serializer.serialize(value, key);
    const c = this.conn.client ?? (await this.conn.connected('set'));
    try {
      await this.conn.guarded(this.writes.run(c, { key, text, ttlMs }));
    } catch (err) {
      throw this.conn.failure('set', err);
    }
    if (!this.notifier.idle) this.notifier.notify(key);
  }

  async add(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const text = this.codec ? await this.codec.serializeAsync(value, key) : this.serializer.serialize(value, key);
    const c = this.conn.client ?? (await this.conn.connected('add'));
    let reply: string | null;
    try {
      reply = await this.conn.guarded(
        ttlMs === undefined ? c.set(key, text, 'NX') : c.set(key, text, 'PX', px(ttlMs), 'NX'),
      );
    } catch (err) {
      throw this.conn.failure('add', err);
    }
    if (reply === null) return false;
    if (!this.notifier.idle) this.notifier.notify(key);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const c = this.conn.client ?? (await this.conn.connected('delete'));
    let n: number;
    try {
      n = await this.conn.guarded(c.unlink(key));
    } catch (err) {
      throw this.conn.failure('delete', err);
    }
    if (!this.notifier.idle) this.notifier.notify(key);
    return n > 0;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    if (keys.length === 0) return [];
    const c = this.conn.client ?? (await this.conn.connected('getMany'));
    let raws: (string | null)[];
    try {
      raws = await this.conn.guarded(c.isCluster ? clusterMget(c as Cluster, keys) : c.mget(keys as string[]));
    } catch (err) {
      throw this.conn.failure('getMany', err);
    }
    return readBatch(this.serializer, raws, keys);
  }

  async setMany(entries: readonly StoreEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // Serialize everything first, so one value that cannot be stored writes nothing.
    const texts = await serializeEntries(this.serializer, entries);
    const c = this.conn.client ?? (await this.conn.connected('setMany'));
    try {
      if (c.isCluster) {
        await this.conn.guarded(Promise.all(entries.map((e, i) => setWithTtl(c, e.key, texts[i], e.ttlMs))));
      } else {
        // SETs of their own on the corked socket: one write, without a pipeline's costs (redis.batching.ts).
        await this.conn.guarded(setAll(c as Redis, entries, texts));
      }
    } catch (err) {
      throw this.conn.failure('setMany', err);
    }
    if (!this.notifier.idle) for (const e of entries) this.notifier.notify(e.key);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const c = this.conn.client ?? (await this.conn.connected('deleteMany'));
    let n: number;
    try {
      if (c.isCluster) {
        const groups = groupBySlot(keys);
        const counts = await this.conn.guarded(Promise.all(groups.map((g) => c.unlink(...g.map((i) => keys[i])))));
        n = counts.reduce((a, b) => a + b, 0);
      } else {
        n = await this.conn.guarded(c.unlink(...keys));
      }
    } catch (err) {
      throw this.conn.failure('deleteMany', err);
    }
    if (!this.notifier.idle) for (const k of keys) this.notifier.notify(k);
    return n;
  }

  async increment(key: string, by: number, ttlMs?: number): Promise<number> {
    const ttl = ttlMs === undefined ? '' : String(px(ttlMs));
    let reply: unknown;
    try {
      reply = await this.conn.eval('increment', INCREMENT, key, String(by), Number.isInteger(by) ? '1' : '0', ttl);
    } catch (err) {
      if (err instanceof Error && err.message.includes('CACHEKIT_UNSAFE_INTEGER')) {
        throw new CacheArgumentError(
          `Cannot increment key ${JSON.stringify(key)}: the result would exceed Number.MAX_SAFE_INTEGER`,
          key,
        );
      }
      if (err instanceof Error && err.message.includes('WRONGTYPE')) {
        throw new CacheArgumentError(
          `Cannot increment key ${JSON.stringify(key)}: it holds a Redis value of another type (a hash, list or set written by another client), not a number`,
          key,
        );
      }
      if (err instanceof Error && err.message.includes('CACHEKIT_NOT_A_NUMBER')) {
        throw new CacheArgumentError(`Cannot increment key ${JSON.stringify(key)}: it does not hold a number`, key);
      }
      throw this.conn.failure('increment', err);
    }
    // INCRBY answers an integer (exact in Redis, maybe not in a JS number); INCRBYFLOAT a string.
    const n = Number(reply);
    if (typeof reply === 'number' && !Number.isSafeInteger(n)) {
      throw new CacheArgumentError(
        `Cannot increment key ${JSON.stringify(key)}: the result exceeds Number.MAX_SAFE_INTEGER`,
        key,
      );
    }
    if (!this.notifier.idle) this.notifier.notify(key);
    return n;
  }

  async ttl(key: string): Promise<number | undefined> {
    const c = this.conn.client ?? (await this.conn.connected('ttl'));
    let ms: number;
    try {
      ms = await this.conn.guarded(c.pttl(key));
    } catch (err) {
      throw this.conn.failure('ttl', err);
    }
    return ms === -2 ? undefined : ms === -1 ? Infinity : ms;
  }

  async touch(key: string, ttlMs?: number): Promise<boolean> {
    if (ttlMs === undefined) {
      return (await this.conn.eval('touch', PERSIST, key).catch((e) => this.conn.rethrow('touch', e))) === 1;
    }
    const c = this.conn.client ?? (await this.conn.connected('touch'));
    try {
      return (await this.conn.guarded(c.pexpire(key, px(ttlMs)))) === 1;
    } catch (err) {
      throw this.conn.failure('touch', err);
    }
  }

  async ping(): Promise<void> {
    const c = this.conn.client ?? (await this.conn.connected('ping'));
    try {
      await this.conn.guarded(c.ping());
    } catch (err) {
      throw this.conn.failure('ping', err);
    }
  }

  /** Removes the keys of the namespace this store was built with (SCAN + UNLINK). */
  clear(): Promise<void> {
    return this.clearNamespace(this.ns);
  }

  /** Removes the keys of `namespace` only, whatever namespace the store was built with. */
  async clearNamespace(namespace: string): Promise<void> {
    if (!namespace) {
      throw new CacheUnsupportedError(
        this.name,
        'clear',
        `Cache store "${this.name}": clear() needs a non-empty prefix on a Redis store (it would remove every key of the server); nothing was removed`,
      );
    }
    const c = this.conn.client ?? (await this.conn.connected('clear'));
    const pattern = `${escapeGlob(namespace)}:*`;
    const count = this.options.scanCount;
    const nodes: Redis[] = c.isCluster ? (c as Cluster).nodes('master') : [c as Redis];
    try {
      await Promise.all(nodes.map((node) => clearNode(node, pattern, count, c.isCluster)));
    } catch (err) {
      throw this.conn.failure('clear', err);
    }
  }

  acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.locks.acquire(key, token, ttlMs);
  }

  renewLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.locks.renew(key, token, ttlMs);
  }

  releaseLock(key: string, token: string): Promise<boolean> {
    return this.locks.release(key, token);
  }

  waitForChange(key: string, timeoutMs: number): Promise<void> {
    return this.locks.wait(key, timeoutMs);
  }

  /** A rate-limit hit: one Lua script (see redis.throttle.ts). */
  throttle(key: string, hit: ThrottleHit): Promise<ThrottleResult> {
    return throttleOnRedis(this.conn, key, hit);
  }

  /** Closes the connections this store opened; a `client` given in the options stays open. */
  async close(): Promise<void> {
    this.locks.close();
    await this.conn.close();
  }
}
