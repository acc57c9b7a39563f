import {
  isKeyvInstance,
  keepsOwnFormat,
  type CacheableLike,
  type KeyvLike,
  type KeyvStoreAdapterLike,
  type KeyvStoreTarget,
} from './keyv.types';

/**
 * One surface over the three things `{ driver: 'keyv' }` accepts (a Keyv instance, a raw Keyv
 * adapter, a `Map`), so the store above speaks to none of them directly. Keys arrive already
 * namespaced by the cache; values arrive encoded (or as they are, for Keyv instances that keep
 * their own serializer).
 */
export class KeyvBackend {
  /** A Keyv or `cacheable` instance: keeps its own serializer, namespace and expiry. */
  readonly keyv: (KeyvLike & Partial<CacheableLike>) | (CacheableLike & Partial<KeyvLike>) | undefined;
  private readonly adapter: KeyvStoreAdapterLike | undefined;
  private readonly map: Map<string, unknown> | undefined;

  constructor(readonly target: KeyvStoreTarget) {
    if (target instanceof Map) this.map = target;
    else if (keepsOwnFormat(target)) this.keyv = target;
    else this.adapter = target;
  }

  /**
   * Whether `clear()` can be limited to one namespace: the target can list its keys (a `Map`,
   * or a Keyv instance / adapter with an iterator).
   */
  get canList(): boolean {
    return this.map !== undefined || typeof (this.keyv ?? this.adapter)?.iterator === 'function';
  }

  async get(key: string): Promise<unknown> {
    if (this.map) return this.map.get(key);
    const raw = await (this.keyv ?? this.adapter)!.get(key);
    // Adapters answer a miss with null or undefined; a Keyv instance stores null as a value.
    return raw === null && !this.keyv ? undefined : raw;
  }

  /** Resolves whether the target reports the write done (a Keyv instance resolves `false` on failure). */
  async set(key: string, value: unknown, ttlMs: number | undefined): Promise<boolean> {
    if (this.map) {
      this.map.set(key, value);
      return true;
    }
    // A Keyv instance applies its own `ttl` to a write without one; the cache already applied the
    // store's default, so none here means never (Keyv's 0): `forever()` must not expire.
    if (this.keyv)
      return (await this.keyv.set(key, value, ttlMs ?? (isKeyvInstance(this.keyv) ? 0 : undefined))) !== false;
    await this.adapter!.set(key, value, ttlMs);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    if (this.map) return this.map.delete(key);
    return (await (this.keyv ?? this.adapter)!.delete(key)) === true;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    const many = (this.keyv ?? this.adapter)?.getMany;
    if (many) {
      const raws = await many.call(this.keyv ?? this.adapter, [...keys]);
      return keys.map((_, i) => (raws[i] === null && !this.keyv ? undefined : raws[i]));
    }
    return Promise.all(keys.map((k) => this.get(k)));
  }

  /** The absolute expiry the Keyv instance keeps for `key` (`null`: none; `undefined`: missing). */
  async expiresAt(key: string): Promise<number | null | undefined> {
    const keyv = this.keyv!;
    const raw = keyv.getRaw
      ? await keyv.getRaw(key)
      : ((await (keyv.get as (k: string, o: { raw: true }) => Promise<unknown>)(key, { raw: true })) as
          { expires?: number | null } | undefined);
    if (raw === undefined || raw === null) return undefined;
    return typeof raw.expires === 'number' ? raw.expires : null;
  }

  /** Every key the target lists (without its own namespace), for a namespace-limited clear. */
  async keys(): Promise<string[]> {
    if (this.map) return [...this.map.keys()];
    const out: string[] = [];
    const source = this.keyv ? this.keyv.iterator!() : this.adapter!.iterator!(this.adapter!.namespace);
    for await (const entry of source) {
      if (typeof entry[0] === 'string') out.push(entry[0]);
    }
    return out;
  }

  clearAll(): Promise<void> {
    if (this.map) {
      this.map.clear();
      return Promise.resolve();
    }
    return (this.keyv ?? this.adapter)!.clear();
  }

  async disconnect(): Promise<void> {
    await (this.keyv ?? this.adapter)?.disconnect?.();
  }
}

/** A Keyv instance's own default TTL in ms, if it has one (undefined for anything else). */
export function keyvOwnTtlMs(target: unknown): number | undefined {
  if (!isKeyvInstance(target)) return undefined;
  const ttl: unknown = target.ttl;
  return typeof ttl === 'number' && ttl > 0 ? ttl : undefined;
}
