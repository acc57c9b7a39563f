import { CacheConfigError, CacheError, CacheSerializationError } from '../../core/cache.errors';
import { CacheTimeoutError, CacheUnavailableError } from '../../core/cache.errors';
import { incremented } from '../../core/increment';
import { systemClock, type Clock } from '../../core/clock';
import { consoleLogger } from '../../core/logger';
import { OptionChecks } from '../../core/option-checks';
import type { CacheStore, StoreContext, StoreEntry } from '../../core/store.types';
import type { MsOrDuration } from '../../core/ttl';
import { defaultSerializer, type CacheSerializer } from '../../core/serializer';
import { KeyvBackend } from './keyv-backend';
import { isKeyvAdapter, keepsOwnFormat, type KeyvStoreTarget } from './keyv.types';

/** Options of `driver: 'keyv'`. */
export interface KeyvStoreOptions {
  /**
   * A Keyv instance (`new Keyv(...)`), any Keyv store adapter (`new KeyvRedis(url)`,
   * `new KeyvMongo(url)`, `new KeyvSqlite(...)`…) or a `Map`. Typed by shape, so instances from
   * either module system of `keyv` fit.
   */
  store: KeyvStoreTarget;
  /**
   * How values are written. By default this package's serializer, so Date, Map, Set, BigInt and
   * Buffer come back with their types, and the expiry is kept next to the value (adapters that
   * ignore TTLs, such as a `Map`, still expire entries). `false` hands values to a Keyv
   * *instance* as they are, so it keeps its own serializer (what `nestjs-cachekit/compat`
   * does); only allowed with a Keyv instance.
   * @default defaultSerializer
   */
  serializer?: CacheSerializer | false;
  /**
   * Longest wait for one operation; a slower store fails it (reads then miss).
   * number: milliseconds; string: a duration such as '2s'.
   * @default 1000
   * @example timeout: '500ms'
   */
  timeout?: MsOrDuration;
  /**
   * Disconnect the Keyv instance or adapter when the cache closes. Set `false` when other code
   * keeps using it.
   * @default true
   */
  disconnect?: boolean;
}

/** What the store needs from its surroundings. */
export type KeyvStoreContext = Pick<StoreContext, 'namespace'> &
  Partial<Pick<StoreContext, 'name' | 'logger' | 'clock'>>;

interface Decoded {
  value: unknown;
  /** Epoch ms; `undefined`: never. */
  expires: number | undefined;
}

/**
 * `driver: 'keyv'`: any Keyv instance or adapter as a cache store. Operations the Keyv API has
 * no atomic form for (`add`, `increment`, `touch`) are serialised per key in this process and
 * are **not atomic across processes** (see docs/stores-keyv.md). `clear()` removes only this
 * store's namespace where the target can list its keys, and warns at start-up where it cannot.
 *
 * @example
 * new KeyvStore({ store: new KeyvRedis('redis://127.0.0.1:6379') }, { namespace: 'app' });
 */
export class KeyvStore implements CacheStore {
  private readonly backend: KeyvBackend;
  private readonly serializer: CacheSerializer | undefined;
  private readonly timeoutMs: number;
  private readonly name: string;
  private readonly ns: string;
  private readonly clock: Clock;
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly options: KeyvStoreOptions,
    context: KeyvStoreContext,
  ) {
    this.name = context.name ?? 'keyv';
    this.ns = context.namespace;
    this.clock = context.clock ?? systemClock;
    const store: unknown = options?.store;
    if (!(store instanceof Map) && !keepsOwnFormat(store) && !isKeyvAdapter(store)) {
      throw new CacheConfigError(
        `stores.${this.name}.store must be a Keyv instance, a Keyv store adapter (get, set, delete, clear), a cacheable instance or a Map`,
        this.name,
        'store',
      );
    }
    if (options.serializer === false && !keepsOwnFormat(store)) {
      throw new CacheConfigError(
        `stores.${this.name}.serializer: false needs a Keyv or cacheable instance (it keeps its own serializer); a raw adapter or Map needs a serializer`,
        this.name,
        'serializer',
      );
    }
    this.timeoutMs = new OptionChecks(this.name).msOrDuration('timeout', options.timeout, 1000);
    this.serializer = options.serializer === false ? undefined : (options.serializer ?? defaultSerializer);
    this.backend = new KeyvBackend(store);
    if (this.ns && !this.backend.canList) {
      (context.logger ?? consoleLogger).warn(
        `Cache store "${this.name}": this Keyv store cannot list its keys, so clear() clears the whole Keyv store (its own namespace), not only "${this.ns}"`,
      );
    }
  }

  /** The Keyv instance, adapter or Map this store writes to. */
  get target(): KeyvStoreTarget {
    return this.backend.target;
  }

  async get(key: string): Promise<unknown> {
    const entry = await this.read('get', key);
    return entry?.value;
  }

  async has(key: string): Promise<boolean> {
    return (await this.read('has', key)) !== undefined;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    const raws = await this.guard('getMany', () => this.backend.getMany(keys));
    return raws.map((raw, i) => this.decode(raw, keys[i])?.value);
  }

  set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    return this.write('set', key, value, ttlMs);
  }

  /** Encodes every value first, so one value that cannot be stored writes nothing. */
  async setMany(entries: readonly StoreEntry[]): Promise<void> {
    const encoded = entries.map((e) => this.encode(e.value, e.ttlMs, e.key));
    const results = await Promise.all(
      entries.map((e, i) => this.guard('setMany', () => this.backend.set(e.key, encoded[i], e.ttlMs))),
    );
    if (results.includes(false)) throw this.failedWrite('setMany');
  }

  async delete(key: string): Promise<boolean> {
    return this.guard('delete', () => this.backend.delete(key));
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    const removed = await Promise.all(keys.map((k) => this.delete(k)));
    return removed.filter(Boolean).length;
  }

  /** Removes the keys of the namespace this store was built with (see {@link clearNamespace}). */
  clear(): Promise<void> {
    return this.clearNamespace(this.ns);
  }

  /**
   * Removes the keys of `namespace` where the target can list its keys; otherwise (or for the
   * empty namespace) clears the whole Keyv store, as the start-up warning says.
   */
  async clearNamespace(namespace: string): Promise<void> {
    if (!namespace || !this.backend.canList) {
      await this.guard('clear', () => this.backend.clearAll());
      return;
    }
    const mine = namespace + ':';
    // Listing is a scan of the Keyv store: no per-operation bound, but each delete has one.
    let keys: string[];
    try {
      keys = (await this.backend.keys()).filter((k) => k.startsWith(mine));
    } catch (err) {
      throw new CacheUnavailableError(this.name, 'clear', err);
    }
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => this.delete(k)));
    }
  }

  add(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    return this.serial(key, async () => {
      if ((await this.read('add', key)) !== undefined) return false;
      await this.write('add', key, value, ttlMs);
      return true;
    });
  }

  increment(key: string, by: number, ttlMs?: number): Promise<number> {
    return this.serial(key, async () => {
      const entry = await this.read('increment', key);
      const next = incremented(key, entry?.value, by);
      const keep = entry === undefined ? ttlMs : this.leftMs(entry.expires);
      await this.write('increment', key, next, keep);
      return next;
    });
  }

  async ttl(key: string): Promise<number | undefined> {
    const entry = await this.read('ttl', key);
    if (entry === undefined) return undefined;
    if (!this.serializer) {
      const expires = await this.guard('ttl', () => this.backend.expiresAt(key));
      if (expires === undefined) return undefined;
      return expires === null ? Infinity : Math.max(0, expires - this.clock.now());
    }
    return entry.expires === undefined ? Infinity : Math.max(0, entry.expires - this.clock.now());
  }

  touch(key: string, ttlMs?: number): Promise<boolean> {
    return this.serial(key, async () => {
      const entry = await this.read('touch', key);
      if (entry === undefined) return false;
      await this.write('touch', key, entry.value, ttlMs);
      return true;
    });
  }

  async close(): Promise<void> {
    if (this.options.disconnect === false) return;
    await this.guard('close', () => this.backend.disconnect());
  }

  private leftMs(expires: number | undefined): number | undefined {
    return expires === undefined ? undefined : Math.max(1, expires - this.clock.now());
  }

  private async read(op: string, key: string): Promise<Decoded | undefined> {
    const raw = await this.guard(op, () => this.backend.get(key));
    return this.decode(raw, key);
  }

  private async write(op: string, key: string, value: unknown, ttlMs: number | undefined): Promise<void> {
    const encoded = this.encode(value, ttlMs, key);
    const ok = await this.guard(op, () => this.backend.set(key, encoded, ttlMs));
    if (!ok) throw this.failedWrite(op);
  }

  private failedWrite(op: string): CacheUnavailableError {
    return new CacheUnavailableError(this.name, op, new Error('the Keyv store reported a failed write'));
  }

  /** `<expiry epoch ms or empty>;<serialized value>`, so stores that ignore TTLs still expire. */
  private encode(value: unknown, ttlMs: number | undefined, key: string): unknown {
    if (!this.serializer) return value;
    const expires = ttlMs === undefined ? '' : String(this.clock.now() + ttlMs);
    return `${expires};${this.serializer.serialize(value, key)}`;
  }

  private decode(raw: unknown, key: string): Decoded | undefined {
    if (raw === undefined) return undefined;
    if (!this.serializer) return { value: raw, expires: undefined };
    const text = typeof raw === 'string' ? raw : undefined;
    const cut = text?.indexOf(';') ?? -1;
    if (text === undefined || cut < 0) {
      throw new CacheSerializationError(`Stored value for key ${JSON.stringify(key)} is not in a known format`, key);
    }
    const expires = cut === 0 ? undefined : Number(text.slice(0, cut));
    if (expires !== undefined && !(this.clock.now() < expires)) return undefined;
    return { value: this.serializer.deserialize(text.slice(cut + 1), key), expires };
  }

  /** Runs `fn` after every earlier serialised operation on `key` in this process. */
  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }

  /** Bounds one call by the timeout and turns Keyv failures into this package's errors. */
  private guard<T>(op: string, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CacheTimeoutError(this.name, op, this.timeoutMs)), this.timeoutMs);
      timer.unref();
      Promise.resolve()
        .then(fn)
        .then(
          (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          (err: unknown) => {
            clearTimeout(timer);
            reject(err instanceof CacheError ? err : new CacheUnavailableError(this.name, op, err));
          },
        );
    });
  }
}
