import type { Cluster, Redis } from 'ioredis';
import { CacheArgumentError, CacheUnavailableError } from '../core/cache.errors';
import { consoleLogger, type CacheLogger } from '../core/logger';
import type { CacheStore, StoreContext, StoreEntry } from '../core/store.types';
import { defaultSerializer, type CacheSerializer } from '../core/value-codec';
import {
  createClient,
  describeTarget,
  loadIoredis,
  redactUrl,
  RETRYING,
  toStoreError,
  waitReady,
  withDeadline,
  type RedisClient,
} from './redis.connection';
import { ChangeNotifier } from './redis.notifier';
import type { RedisTarget, RedisStoreOptions } from './redis.options';
import { INCREMENT, PERSIST, RELEASE_LOCK, RENEW_LOCK, type RedisScript } from './redis.scripts';
import { groupBySlot } from './redis.slots';
import { clearNode, clusterMget, escapeGlob, px, setWithTtl, throwFirst } from './redis.commands';
import { hasFailFastDeadline, validateRedisOptions } from './redis.config';

/** What the store needs from its surroundings; `createCacheManager` passes the full context. */
export type RedisStoreContext = Pick<StoreContext, 'namespace'> & Partial<Pick<StoreContext, 'name' | 'logger'>>;

/**
 * `driver: 'redis'`: a store on Redis, Redis Cluster or Redis Sentinel through ioredis (an
 * optional peer, loaded on first use). Every operation takes one round trip; reads fail fast
 * when Redis is down or slow, and the connection recovers on its own.
 *
 * @example
 * const store = new RedisStore({ url: 'redis://127.0.0.1:6379' }, { namespace: 'app' });
 */
export class RedisStore implements CacheStore {
  private client?: RedisClient;
  private starting?: Promise<RedisClient>;
  private readonly name: string;
  private readonly ns: string;
  private readonly logger: CacheLogger;
  private readonly timeout: number;
  private readonly serializer: CacheSerializer;
  private readonly owned: boolean;
  /** A user's client may queue commands or lack a deadline: the store then enforces its own. */
  private readonly guard: boolean;
  private readonly notifier: ChangeNotifier;
  private readonly lockPrefix: string;
  private closed = false;
  private disconnected = false;

  constructor(
    private readonly options: RedisStoreOptions,
    context: RedisStoreContext,
  ) {
    this.name = context.name ?? 'redis';
    this.ns = context.namespace;
    this.logger = context.logger ?? consoleLogger;
    validateRedisOptions(options, this.name, this.ns);
    this.timeout = options.timeout ?? 1000;
    this.serializer = options.serializer ?? defaultSerializer;
    this.owned = options.client === undefined;
    this.guard = !this.owned && !hasFailFastDeadline(options.client as RedisClient, this.timeout);
    this.notifier = new ChangeNotifier(`${this.ns}:\u0000changed`, () => this.openSubscriber());
    // Mirrors the core's lock keys (`<ns>:\0l:<key>`), to announce the guarded key on release.
    this.lockPrefix = `${this.ns}:\u0000l:`;
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

  /** Loads ioredis and, unless `lazyConnect`, connects; fails with the cause when Redis is unreachable. */
  async init(): Promise<void> {
    const client = await (this.starting ??= this.start());
    if (this.options.lazyConnect || client.status === 'ready') return;
    if (client.status === 'wait') connectInBackground(client);
    try {
      await waitReady(client, Math.max(this.timeout, 10_000), true);
    } catch (err) {
      if (this.owned) {
        // Start-up failed: stop retrying in the background; the next call starts over.
        this.starting = undefined;
        client.disconnect();
      }
      const cause = redactUrl(err instanceof Error ? err.message : String(err));
      throw new CacheUnavailableError(this.name, `connect to ${describeTarget(this.options)}`, new Error(cause));
    }
    this.client = client;
  }

  async get(key: string): Promise<unknown> {
    const c = this.client ?? (await this.connected('get'));
    let raw: string | null;
    try {
      raw = await this.guarded(c.get(key));
    } catch (err) {
      throw this.failure('get', err);
    }
    return raw === null ? undefined : this.serializer.deserialize(raw, key);
  }

  async has(key: string): Promise<boolean> {
    const c = this.client ?? (await this.connected('has'));
    try {
      return (await this.guarded(c.exists(key))) === 1;
    } catch (err) {
      throw this.failure('has', err);
    }
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const text = this.serializer.serialize(value, key);
    const c = this.client ?? (await this.connected('set'));
    try {
      await this.guarded(ttlMs === undefined ? c.set(key, text) : c.set(key, text, 'PX', px(ttlMs)));
    } catch (err) {
      throw this.failure('set', err);
    }
    if (!this.notifier.idle) this.notifier.notify(key);
  }

  async add(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const text = this.serializer.serialize(value, key);
    const c = this.client ?? (await this.connected('add'));
    let reply: string | null;
    try {
      reply = await this.guarded(
        ttlMs === undefined ? c.set(key, text, 'NX') : c.set(key, text, 'PX', px(ttlMs), 'NX'),
      );
    } catch (err) {
      throw this.failure('add', err);
    }
    if (reply === null) return false;
    if (!this.notifier.idle) this.notifier.notify(key);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const c = this.client ?? (await this.connected('delete'));
    let n: number;
    try {
      n = await this.guarded(c.unlink(key));
    } catch (err) {
      throw this.failure('delete', err);
    }
    if (!this.notifier.idle) this.notifier.notify(key);
    return n > 0;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    if (keys.length === 0) return [];
    const c = this.client ?? (await this.connected('getMany'));
    let raws: (string | null)[];
    try {
      raws = await this.guarded(c.isCluster ? clusterMget(c as Cluster, keys) : c.mget(keys as string[]));
    } catch (err) {
      throw this.failure('getMany', err);
    }
    const out = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const raw = raws[i];
      out[i] = raw === null ? undefined : this.serializer.deserialize(raw, keys[i]);
    }
    return out;
  }

  async setMany(entries: readonly StoreEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // Serialize everything first, so one value that cannot be stored writes nothing.
    const texts = entries.map((e) => this.serializer.serialize(e.value, e.key));
    const c = this.client ?? (await this.connected('setMany'));
    try {
      if (c.isCluster) {
        await this.guarded(Promise.all(entries.map((e, i) => setWithTtl(c, e.key, texts[i], e.ttlMs))));
      } else {
        const pipeline = c.pipeline();
        for (let i = 0; i < entries.length; i++) {
          const e = entries[i];
          if (e.ttlMs === undefined) pipeline.set(e.key, texts[i]);
          else pipeline.set(e.key, texts[i], 'PX', px(e.ttlMs));
        }
        throwFirst(await this.guarded(pipeline.exec()));
      }
    } catch (err) {
      throw this.failure('setMany', err);
    }
    if (!this.notifier.idle) for (const e of entries) this.notifier.notify(e.key);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const c = this.client ?? (await this.connected('deleteMany'));
    let n: number;
    try {
      if (c.isCluster) {
        const groups = groupBySlot(keys);
        const counts = await this.guarded(Promise.all(groups.map((g) => c.unlink(...g.map((i) => keys[i])))));
        n = counts.reduce((a, b) => a + b, 0);
      } else {
        n = await this.guarded(c.unlink(...keys));
      }
    } catch (err) {
      throw this.failure('deleteMany', err);
    }
    if (!this.notifier.idle) for (const k of keys) this.notifier.notify(k);
    return n;
  }

  async increment(key: string, by: number, ttlMs?: number): Promise<number> {
    const ttl = ttlMs === undefined ? '' : String(px(ttlMs));
    let reply: unknown;
    try {
      reply = await this.eval(INCREMENT, key, String(by), Number.isInteger(by) ? '1' : '0', ttl);
    } catch (err) {
      if (err instanceof Error && err.message.includes('CACHEKIT_UNSAFE_INTEGER')) {
        throw new CacheArgumentError(
          `Cannot increment key ${JSON.stringify(key)}: the result would exceed Number.MAX_SAFE_INTEGER`,
        );
      }
      if (err instanceof Error && err.message.includes('CACHEKIT_NOT_A_NUMBER')) {
        throw new CacheArgumentError(`Cannot increment key ${JSON.stringify(key)}: it does not hold a number`);
      }
      throw this.failure('increment', err);
    }
    // INCRBY answers an integer (exact in Redis, maybe not in a JS number); INCRBYFLOAT a string.
    const n = Number(reply);
    if (typeof reply === 'number' && !Number.isSafeInteger(n)) {
      throw new CacheArgumentError(
        `Cannot increment key ${JSON.stringify(key)}: the result exceeds Number.MAX_SAFE_INTEGER`,
      );
    }
    if (!this.notifier.idle) this.notifier.notify(key);
    return n;
  }

  async ttl(key: string): Promise<number | undefined> {
    const c = this.client ?? (await this.connected('ttl'));
    let ms: number;
    try {
      ms = await this.guarded(c.pttl(key));
    } catch (err) {
      throw this.failure('ttl', err);
    }
    return ms === -2 ? undefined : ms === -1 ? Infinity : ms;
  }

  async touch(key: string, ttlMs?: number): Promise<boolean> {
    if (ttlMs === undefined) return (await this.eval(PERSIST, key).catch((e) => this.rethrow('touch', e))) === 1;
    const c = this.client ?? (await this.connected('touch'));
    try {
      return (await this.guarded(c.pexpire(key, px(ttlMs)))) === 1;
    } catch (err) {
      throw this.failure('touch', err);
    }
  }

  async ping(): Promise<void> {
    const c = this.client ?? (await this.connected('ping'));
    try {
      await this.guarded(c.ping());
    } catch (err) {
      throw this.failure('ping', err);
    }
  }

  async clear(): Promise<void> {
    const c = this.client ?? (await this.connected('clear'));
    const pattern = `${escapeGlob(this.ns)}:*`;
    const count = this.options.scanCount ?? 1000;
    const nodes: Redis[] = c.isCluster ? (c as Cluster).nodes('master') : [c as Redis];
    try {
      await Promise.all(nodes.map((node) => clearNode(node, pattern, count, c.isCluster)));
    } catch (err) {
      throw this.failure('clear', err);
    }
  }

  async acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    const c = this.client ?? (await this.connected('lock'));
    try {
      return (await this.guarded(c.set(key, token, 'PX', px(ttlMs), 'NX'))) !== null;
    } catch (err) {
      throw this.failure('lock', err);
    }
  }

  async renewLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.eval(RENEW_LOCK, key, token, String(px(ttlMs))).catch((e) => this.rethrow('lock', e))) === 1;
  }

  async releaseLock(key: string, token: string): Promise<void> {
    const guarded = key.startsWith(this.lockPrefix) ? `${this.ns}:${key.slice(this.lockPrefix.length)}` : key;
    await this.eval(RELEASE_LOCK, key, token, this.notifier.channel, guarded).catch((e) => this.rethrow('unlock', e));
    if (!this.notifier.idle) this.notifier.notify(guarded);
  }

  waitForChange(key: string, timeoutMs: number): Promise<void> {
    return this.notifier.wait(key, timeoutMs);
  }

  /** Closes the connections this store opened; a `client` given in the options stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notifier.close();
    if (!this.owned || !this.starting) return;
    const client = await this.starting.catch(() => undefined);
    if (!client) return;
    if (client.status === 'ready') {
      await withDeadline(client.quit(), this.timeout).catch(() => undefined);
    }
    client.disconnect();
  }

  // ------------------------------------------------------------------------------------------

  private async start(): Promise<RedisClient> {
    if (this.options.client) return this.options.client as RedisClient;
    const lib = await loadIoredis(this.name);
    const client = createClient(lib, this.options, this.timeout);
    client.on('error', (err: Error) => this.onConnectionError(err));
    client.on('ready', () => this.onReady());
    if (this.closed) client.disconnect();
    else if (!this.options.lazyConnect) connectInBackground(client);
    return client;
  }

  /** The client once it is ready; before the first connection, waits for it up to `timeout`. */
  private async connected(op: string): Promise<RedisClient> {
    if (this.closed) throw new CacheUnavailableError(this.name, op, new Error('the store is closed'));
    const c = await (this.starting ??= this.start());
    if (c.status !== 'ready') {
      // A connection that already failed is being retried by ioredis: fail at once.
      if (RETRYING.has(c.status)) throw new CacheUnavailableError(this.name, op, new Error(`Redis is ${c.status}`));
      if (c.status === 'wait') connectInBackground(c);
      try {
        await waitReady(c, this.timeout, true);
      } catch (err) {
        throw this.failure(op, err);
      }
    }
    this.client = c;
    return c;
  }

  private guarded<T>(promise: Promise<T>): Promise<T> {
    return this.guard ? withDeadline(promise, this.timeout) : promise;
  }

  private failure(op: string, err: unknown): Error {
    return toStoreError(this.name, op, err, this.timeout);
  }

  private rethrow(op: string, err: unknown): never {
    throw this.failure(op, err);
  }

  private async eval(script: RedisScript, key: string, ...args: string[]): Promise<unknown> {
    const c = this.client ?? (await this.connected('eval'));
    try {
      return await this.guarded(c.evalsha(script.sha, 1, key, ...args));
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    }
    return this.guarded(c.eval(script.source, 1, key, ...args));
  }

  private async openSubscriber(): Promise<RedisClient> {
    const c = await (this.starting ??= this.start());
    // The subscriber may queue SUBSCRIBE until it connects: nothing waits on it but a timer.
    const sub = (
      c.isCluster
        ? (c as Cluster).duplicate([], { enableOfflineQueue: true, lazyConnect: false })
        : (c as Redis).duplicate({ enableOfflineQueue: true, lazyConnect: false })
    ) as RedisClient;
    sub.on('error', () => undefined);
    return sub;
  }

  private onConnectionError(err: Error): void {
    if (this.disconnected || this.closed) return;
    this.disconnected = true;
    this.logger.warn(
      `Cache store "${this.name}": Redis connection error (${redactUrl(err.message)}); reads miss until it reconnects`,
    );
  }

  private onReady(): void {
    if (!this.disconnected) return;
    this.disconnected = false;
    this.logger.log?.(`Cache store "${this.name}": Redis reconnected`);
  }
}

/** Starts connecting; failures surface as 'error' events and through waitReady while ioredis retries. */
function connectInBackground(client: RedisClient): void {
  client.connect().catch(() => undefined);
}
