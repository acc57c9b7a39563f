import { CacheUnsupportedError } from '../../core/cache.errors';
import { pingKey } from '../../core/keys';
import { UnreadableEntry } from '../../core/store-access/unreadable-entry';
import { consoleLogger, type CacheLogger } from '../../core/logger';
import type { CacheStore, StoreContext, StoreEntry, StoreHealthDetail, StoreStats } from '../../core/store.types';
import type { BusListener, InvalidationBus } from './invalidation-bus';
import { ReadTickets } from './read-tickets';
import { ChangeWaiters } from './change-waiters';
import { requireTiers, type TieredStartup } from './tiered-startup';
import { TIERED_DEFAULTS } from './tiered-store.options';

/** The parts of a {@link TieredStore}. */
export interface TieredStoreTiers {
  /** The near tier, local to this process (usually a memory store). */
  l1: CacheStore;
  /** The shared truth (usually Redis). Counters and locks live here alone. */
  l2: CacheStore;
  /** Longest life of an L1 copy in ms; copies never outlive the L2 entry either. */
  l1TtlMs?: number;
  /** Keeps the L1 of every instance coherent. Without one, use a single instance only. */
  bus?: InvalidationBus;
  /** Start-up: by default nothing waits for L2 or the bus; `required` waits up to `timeoutMs`. */
  startup?: TieredStartup;
}

/**
 * `driver: 'tiered'`: reads hit L1, then L2 (copying the value into L1 for the time L2 still
 * keeps it); writes go to L2, then L1, then the bus tells the other instances to drop their
 * copies. While the bus is disconnected, L1 is bypassed (it serves only when L2 cannot answer)
 * and it is emptied once the bus is back, since the messages in between are lost.
 *
 * Keys arrive already namespaced and are passed to both tiers as they are.
 */
export class TieredStore implements CacheStore {
  private readonly l1: CacheStore;
  private readonly l2: CacheStore;
  private readonly l1TtlMs?: number;
  private readonly bus?: InvalidationBus;
  private readonly name: string;
  private readonly logger: CacheLogger;
  private readonly reads = new ReadTickets();
  private readonly waiters = new ChangeWaiters();
  private trusted: boolean;
  private busStart?: Promise<void>;
  private publishFailures = 0;
  /** Read to probe a tier that has no `ping`. */
  private readonly pingKey: string;
  private readonly startup: TieredStartup;
  /** The bus failed to start and that was logged: its first subscription is logged too. */
  private busWarned = false;

  constructor(tiers: TieredStoreTiers, context: Partial<Pick<StoreContext, 'name' | 'namespace' | 'logger'>> = {}) {
    this.l1 = tiers.l1;
    this.l2 = tiers.l2;
    this.l1TtlMs = tiers.l1TtlMs;
    this.bus = tiers.bus;
    this.name = context.name ?? 'tiered';
    this.logger = context.logger ?? consoleLogger;
    this.pingKey = pingKey(context.namespace ?? '');
    // Until the bus is subscribed, another instance's write could go unnoticed.
    this.trusted = !this.bus;
    this.startup = tiers.startup ?? { required: false, timeoutMs: TIERED_DEFAULTS.connectTimeout };
  }

  /**
   * Start-up: connects the bus. By default an unreachable bus (or L2) never fails start-up: it is
   * logged, L1 is bypassed, and it connects in the background. With `requireOnStartup` start-up
   * waits until L2 answers and the bus is subscribed, or fails naming the store.
   */
  async init(): Promise<void> {
    const started = this.startBus()?.catch(() => undefined);
    if (!this.startup.required) {
      // A first look, so a reachable bus is live for the first request; never longer than this.
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, TIERED_DEFAULTS.firstLook)));
      await Promise.race([started, bound]);
      clearTimeout(timer);
      return;
    }
    try {
      await requireTiers(this.name, () => this.ping(), this.bus, this.startup.timeoutMs);
    } catch (err) {
      await this.bus?.close();
      throw err;
    }
  }

  async get(key: string): Promise<unknown> {
    this.startBus();
    if (this.trusted) {
      const near = await this.l1.get(key);
      return near !== undefined ? near : this.readThrough(key);
    }
    return this.l2Or(
      () => this.l2.get(key),
      () => this.l1.get(key),
    );
  }

  async has(key: string): Promise<boolean> {
    this.startBus();
    if (this.trusted && (await this.l1.has?.(key))) return true;
    return this.l2Or(
      async () => (this.l2.has ? this.l2.has(key) : (await this.l2.get(key)) !== undefined),
      async () => (await this.l1.get(key)) !== undefined,
    );
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    this.startBus();
    if (!this.trusted)
      return this.l2Or(
        () => this.l2Many(keys),
        () => this.l1Many(keys),
      );
    const out = await this.l1Many(keys);
    const missing = keys.filter((_, i) => out[i] === undefined);
    if (missing.length === 0) return out;
    const tickets = missing.map((k) => this.reads.begin(k));
    try {
      const [values, ttls] = await Promise.all([this.l2Many(missing), Promise.all(missing.map((k) => this.l2Ttl(k)))]);
      let j = 0;
      for (let i = 0; i < keys.length; i++) {
        if (out[i] !== undefined) continue;
        out[i] = values[j];
        if (values[j] !== undefined && !(values[j] instanceof UnreadableEntry)) {
          await this.fill(missing[j], values[j], ttls[j], tickets[j]);
        }
        j++;
      }
      return out;
    } finally {
      missing.forEach((k) => this.reads.end(k));
    }
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.startBus();
    const ticket = this.dropAndBegin(key);
    try {
      await this.l2.set(key, value, ttlMs);
      await this.fill(key, value, ttlMs ?? Infinity, ticket);
    } finally {
      this.reads.end(key);
    }
    await this.announce([key]);
  }

  async setMany(entries: readonly StoreEntry[]): Promise<void> {
    this.startBus();
    const tickets = entries.map((e) => this.dropAndBegin(e.key));
    try {
      if (this.l2.setMany) await this.l2.setMany(entries);
      else await Promise.all(entries.map((e) => this.l2.set(e.key, e.value, e.ttlMs)));
      for (let i = 0; i < entries.length; i++)
        await this.fill(entries[i].key, entries[i].value, entries[i].ttlMs ?? Infinity, tickets[i]);
    } finally {
      entries.forEach((e) => this.reads.end(e.key));
    }
    await this.announce(entries.map((e) => e.key));
  }

  async add(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    this.startBus();
    const ticket = this.reads.begin(key);
    let added: boolean;
    try {
      if (this.l2.add) added = await this.l2.add(key, value, ttlMs);
      else if ((await this.l2.get(key)) !== undefined) added = false;
      else added = (await this.l2.set(key, value, ttlMs), true); // not atomic: see docs/stores-tiered.md
      if (added) {
        // A copy here could only be a leftover of an entry L2 lost (eviction): replace it.
        await this.l1.delete(key);
        await this.fill(key, value, ttlMs ?? Infinity, ticket);
      }
    } finally {
      this.reads.end(key);
    }
    if (added) await this.announce([key]);
    return added;
  }

  async delete(key: string): Promise<boolean> {
    this.startBus();
    await this.drop(key);
    const removed = await this.l2.delete(key);
    await this.announce([key]);
    return removed;
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    this.startBus();
    // Tag flushes arrive here too (the core deletes tag version keys): every L1 must hear of it.
    for (const k of keys) await this.drop(k);
    const n = this.l2.deleteMany
      ? await this.l2.deleteMany(keys)
      : (await Promise.all(keys.map((k) => this.l2.delete(k)))).filter(Boolean).length;
    await this.announce(keys);
    return n;
  }

  async clear(): Promise<void> {
    this.startBus();
    this.reads.spoilAll();
    await this.l1.clear();
    await this.l2.clear();
    this.waiters.wakeAll();
    await this.announce('clear');
  }

  async increment(key: string, by: number, ttlMs?: number): Promise<number> {
    this.startBus();
    if (!this.l2.increment) throw new CacheUnsupportedError(this.name, 'increment');
    await this.drop(key);
    const n = await this.l2.increment(key, by, ttlMs);
    await this.announce([key]);
    return n;
  }

  async ttl(key: string): Promise<number | undefined> {
    if (!this.l2.ttl) throw new CacheUnsupportedError(this.name, 'ttl');
    const l2Ttl = this.l2.ttl.bind(this.l2);
    return this.l2Or(
      () => l2Ttl(key),
      async () => this.l1.ttl?.(key),
    );
  }

  async touch(key: string, ttlMs?: number): Promise<boolean> {
    this.startBus();
    await this.drop(key);
    let existed: boolean;
    if (this.l2.touch) existed = await this.l2.touch(key, ttlMs);
    else {
      const value = await this.l2.get(key);
      existed = value !== undefined && (await this.l2.set(key, value, ttlMs), true);
    }
    await this.announce([key]);
    return existed;
  }

  async ping(): Promise<void> {
    if (this.l2.ping) await this.l2.ping();
    else await this.l2.get(this.pingKey);
  }

  /** `up`; `degraded` when L2 or the bus is down (L1 still serves); `down` when L1 fails. */
  async healthDetail(): Promise<StoreHealthDetail> {
    const probe = async (store: CacheStore): Promise<{ status: 'up' | 'down'; error?: string }> => {
      try {
        if (store.ping) await store.ping();
        else await store.get(this.pingKey);
        return { status: 'up' };
      } catch (err) {
        return { status: 'down', error: err instanceof Error ? err.message : String(err) };
      }
    };
    const [l1, l2] = await Promise.all([probe(this.l1), probe(this.l2)]);
    const parts: NonNullable<StoreHealthDetail['parts']> = { l1, l2 };
    if (this.bus) parts.bus = this.bus.connected ? { status: 'up' } : { status: 'down', error: 'not subscribed' };
    if (l1.status === 'down') return { status: 'down', error: `L1: ${l1.error}`, parts };
    const down = Object.entries(parts).filter(([, p]) => p.status === 'down');
    if (down.length === 0) return { status: 'up', parts };
    return { status: 'degraded', error: down.map(([n, p]) => `${n}: ${p.error}`).join('; '), parts };
  }

  stats(): StoreStats {
    return this.l1.stats?.() ?? {};
  }

  // Locks and change notifications belong to the shared tier.

  async acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    if (this.l2.acquireLock) return this.l2.acquireLock(key, token, ttlMs);
    return this.add(key, token, ttlMs);
  }

  async renewLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    if (this.l2.renewLock) return this.l2.renewLock(key, token, ttlMs);
    return (await this.l2.get(key)) === token && this.touch(key, ttlMs);
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    if (this.l2.releaseLock) return (await this.l2.releaseLock(key, token)) !== false;
    if ((await this.l2.get(key)) !== token) return false;
    return this.delete(key);
  }

  waitForChange(key: string, timeoutMs: number): Promise<void> {
    if (this.l2.waitForChange) return this.l2.waitForChange(key, timeoutMs);
    return this.waiters.wait(key, timeoutMs);
  }

  /** Closes the bus connections. The tiers are closed by their owner (the cache manager). */
  async close(): Promise<void> {
    this.waiters.wakeAll();
    await this.bus?.close();
  }

  // ------------------------------------------------------------------------------------------

  private startBus(): Promise<void> | undefined {
    if (!this.bus || this.busStart) return this.busStart;
    const listener: BusListener = {
      keys: (keys) => {
        for (const k of keys) void this.drop(k).catch(() => undefined);
      },
      clear: () => this.dropAll(),
      down: () => {
        this.trusted = false;
        this.reads.newEpoch();
      },
      up: () => {
        // What was missed while disconnected is unknown: start L1 over.
        this.dropAll();
        this.trusted = true;
        if (this.busWarned) {
          this.busWarned = false;
          const log = this.logger.log ?? this.logger.warn;
          log.call(this.logger, `Cache store "${this.name}": invalidation bus${this.busAt()} connected; L1 in use`);
        }
      },
    };
    this.busStart = this.bus.start(listener).catch((err: unknown) => {
      if (!this.startup.required) {
        this.busWarned = true;
        this.logger.warn(
          `Cache store "${this.name}": invalidation bus${this.busAt()} not connected (${err instanceof Error ? err.message : String(err)}); start-up goes on, L1 is bypassed until it connects in the background`,
        );
      }
      throw err;
    });
    this.busStart.catch(() => undefined);
    return this.busStart;
  }

  private busAt(): string {
    return this.bus?.address ? ` at ${this.bus.address}` : '';
  }

  /** L2's answer; when L2 fails, what L1 still holds (if anything), else L2's error. */
  private async l2Or<T>(fromL2: () => Promise<T>, fromL1: () => Promise<T | undefined>): Promise<T> {
    try {
      return await fromL2();
    } catch (err) {
      const near = await fromL1().catch(() => undefined);
      if (near !== undefined && near !== false) return near;
      throw err;
    }
  }

  private async readThrough(key: string): Promise<unknown> {
    const ticket = this.reads.begin(key);
    try {
      // Both commands leave in one round trip on a pipelining client such as ioredis.
      const [value, ttl] = await Promise.all([this.l2.get(key), this.l2Ttl(key)]);
      if (value !== undefined) await this.fill(key, value, ttl, ticket);
      return value;
    } finally {
      this.reads.end(key);
    }
  }

  private l2Ttl(key: string): Promise<number | undefined> {
    if (!this.l2.ttl) return Promise.resolve(this.l1TtlMs);
    return this.l2.ttl(key).catch(() => undefined);
  }

  private l1Many(keys: readonly string[]): Promise<unknown[]> {
    return this.l1.getMany ? this.l1.getMany(keys) : Promise.all(keys.map((k) => this.l1.get(k)));
  }

  private l2Many(keys: readonly string[]): Promise<unknown[]> {
    return this.l2.getMany ? this.l2.getMany(keys) : Promise.all(keys.map((k) => this.l2.get(k)));
  }

  /**
   * Copies a value into L1 for `lifeMs` (`Infinity`: as long as L1 keeps it; `undefined`: not
   * at all), bounded by `l1TtlMs`, unless the key changed (or the bus dropped) since `ticket`.
   */
  private async fill(key: string, value: unknown, lifeMs: number | undefined, ticket: number): Promise<void> {
    if (lifeMs === undefined || !this.trusted || !this.reads.valid(key, ticket)) return;
    const life = Math.min(lifeMs, this.l1TtlMs ?? Infinity);
    await this.l1.set(key, value, life === Infinity ? undefined : life);
  }

  private dropAndBegin(key: string): number {
    void this.drop(key).catch(() => undefined);
    return this.reads.begin(key);
  }

  /** Forgets the local copy of `key` and spoils in-flight L2 reads of it. */
  private async drop(key: string): Promise<void> {
    this.reads.spoil(key);
    this.waiters.wake(key);
    await this.l1.delete(key);
  }

  private dropAll(): void {
    this.reads.spoilAll();
    this.l1
      .clear()
      .catch((err: unknown) => this.logger.warn(`Cache store "${this.name}": L1 clear failed: ${String(err)}`));
    this.waiters.wakeAll();
  }

  /** Tells the other instances; a failure leaves their copies to expire with their L1 TTL. */
  private async announce(keys: readonly string[] | 'clear'): Promise<void> {
    if (!this.bus) return;
    try {
      await this.bus.publish(keys);
    } catch (err) {
      if (this.publishFailures++ % 1000 === 0) {
        this.logger.warn(
          `Cache store "${this.name}": could not publish an invalidation (${err instanceof Error ? err.message : String(err)}); other instances keep their L1 copies until they expire`,
        );
      }
    }
  }
}
