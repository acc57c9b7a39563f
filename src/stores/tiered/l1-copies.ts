import { CacheSerializationError } from '../../core/cache.errors';
import type { CacheStore } from '../../core/store.types';
import type { BusListener } from './invalidation-bus';
import { ChangeWaiters } from './change-waiters';
import { ReadTickets } from './read-tickets';

/**
 * The copies a two-tier store keeps in L1, and what keeps them honest: whether L1 may answer at
 * all (`trusted`: only while the bus is subscribed, or without a bus), the read tickets that keep
 * a back-fill from resurrecting a value that changed meanwhile, and the local change waiters.
 */
export class L1Copies {
  private isTrusted: boolean;
  readonly reads = new ReadTickets();
  readonly waiters = new ChangeWaiters();

  constructor(
    /** The near tier. */
    readonly store: CacheStore,
    /** Longest life of a copy in ms (`undefined`: as long as the L2 entry). */
    private readonly lifeMs: number | undefined,
    trusted: boolean,
    /** Told when emptying L1 in the background failed. */
    private readonly clearFailed: (err: unknown) => void,
    /**
     * The two-tier store's namespace: emptying L1 removes only its keys, since L1 is usually a
     * store other caches use too (`mem` in `tiers: ['mem', 'redis']`). Omitted: all of L1.
     */
    readonly namespace?: string,
    /** Told each time {@link trusted} changes (the two-tier store mirrors it for its L1 hit). */
    private readonly trustChanged?: (trusted: boolean) => void,
  ) {
    this.isTrusted = trusted;
  }

  /** Whether L1 may answer reads: no bus, or a subscribed one (otherwise changes go unheard). */
  get trusted(): boolean {
    return this.isTrusted;
  }

  /**
   * Copies a value into L1 for `lifeMs` (`Infinity`: as long as L1 keeps it; `undefined`: not
   * at all), bounded by the longest copy life, unless the key changed (or the bus dropped) since
   * `ticket`.
   */
  async fill(key: string, value: unknown, lifeMs: number | undefined, ticket: number): Promise<void> {
    if (lifeMs === undefined || !this.trusted || !this.reads.valid(key, ticket)) return;
    const life = Math.min(lifeMs, this.lifeMs ?? Infinity);
    try {
      await this.store.set(key, value, life === Infinity ? undefined : life);
    } catch (err) {
      // A value L1 cannot hold (over a memory L1's maxBytes) stays in L2 only; the copy is gone.
      if (!(err instanceof CacheSerializationError)) throw err;
    }
  }

  /** The time an L2 entry without its own TTL reading is copied for. */
  get defaultLifeMs(): number | undefined {
    return this.lifeMs;
  }

  /** Drops the copy of `key` in the background and takes a ticket for the write that follows. */
  dropAndBegin(key: string): number {
    void this.drop(key).catch(() => undefined);
    return this.reads.begin(key);
  }

  /** Forgets the local copy of `key` and spoils in-flight L2 reads of it. */
  async drop(key: string): Promise<void> {
    this.reads.spoil(key);
    this.waiters.wake(key);
    await this.store.delete(key);
  }

  /** Forgets the copies of `keys` (every copy for `'clear'`) in the background. */
  forget(keys: readonly string[] | 'clear'): void {
    if (keys === 'clear') this.dropAll();
    else for (const k of keys) void this.drop(k).catch(() => undefined);
  }

  /** Forgets every copy (in the background) and spoils every read in flight. */
  dropAll(): void {
    this.reads.spoilAll();
    clearIn(this.store, this.namespace).catch(this.clearFailed);
    this.waiters.wakeAll();
  }

  /** Forgets every copy now (awaited, unlike {@link dropAll}) and spoils every read in flight. */
  async empty(): Promise<void> {
    this.reads.spoilAll();
    this.waiters.wakeAll();
    await this.store.clear().catch(this.clearFailed);
  }

  /** The bus is down: stop answering from L1; reads in flight must not fill it. */
  distrust(): void {
    this.setTrusted(false);
    this.reads.newEpoch();
  }

  /** The bus is back: what was missed meanwhile is unknown, so L1 starts over. */
  trustAgain(): void {
    this.dropAll();
    this.setTrusted(true);
  }

  private setTrusted(trusted: boolean): void {
    this.isTrusted = trusted;
    this.trustChanged?.(trusted);
  }

  /** What the bus tells these copies: another instance's changes, and the subscription's state. */
  busListener(): BusListener {
    return {
      keys: (keys) => this.forget(keys),
      clear: () => this.dropAll(),
      down: () => this.distrust(),
      up: () => this.trustAgain(),
    };
  }

  /** The values L1 holds for `keys` (`undefined` where it holds none). */
  many(keys: readonly string[]): Promise<unknown[]> {
    return readMany(this.store, keys);
  }
}

/** `getMany` of a store, or one `get` per key where it has none. */
export function readMany(store: CacheStore, keys: readonly string[]): Promise<unknown[]> {
  return store.getMany ? store.getMany(keys) : Promise.all(keys.map((k) => store.get(k)));
}

/** Empties one tier of `namespace` only where it can (`clearNamespace`), else all of it. */
export function clearIn(store: CacheStore, namespace: string | undefined): Promise<void> {
  return namespace !== undefined && store.clearNamespace ? store.clearNamespace(namespace) : store.clear();
}
