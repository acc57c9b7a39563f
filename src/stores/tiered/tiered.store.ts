// One concept: the CacheStore contract on two tiers, method for method (a little over 300 lines
// only because every optional member is here; the parts live in the files beside it).
import { CacheUnsupportedError } from '../../core/cache.errors';
import { pingKey } from '../../core/keys';
import { consoleLogger } from '../../core/logger';
import { isCallerError } from '../../core/store-access/store-guard';
import type { CacheStore, StoreContext, StoreEntry, StoreHealthDetail, StoreStats } from '../../core/store.types';
import { l2Or } from './degraded-read';
import { clearIn, L1Copies, readMany } from './l1-copies';
import { ReadThrough } from './read-through';
import { TieredBusLink } from './tiered-bus-link';
import { tieredHealthDetail, tieredStats } from './tiered-health';
import { atMost, requireTiers, type TieredStartup } from './tiered-startup';
import { TIERED_DEFAULTS, type TieredStoreTiers } from './tiered-store.options';
import { UnsettledWrites } from './unsettled-writes';

export type { TieredStoreTiers };

/**
 * `driver: 'tiered'`: reads hit L1, then L2 (copying the value into L1 for the time L2 still
 * keeps it); writes go to L2, then L1, then the bus tells the other instances to drop their
 * copies. While the bus is disconnected, L1 is bypassed (it serves only when L2 cannot answer)
 * and it is emptied once the bus is back, since the messages in between are lost. A write L2
 * failed (a timeout) may still be applied: the others are told once L2 answers again.
 *
 * Keys arrive already namespaced and are passed to both tiers as they are.
 */
export class TieredStore implements CacheStore {
  private readonly l1: CacheStore;
  private readonly l2: CacheStore;
  /**
   * @internal L1 while it may answer reads (`copies.trusted`) and answers them synchronously (a
   * memory store), else `undefined`: the cache reads an L1 hit from it directly, with no await and
   * no frame of ours in between (issue 19). Kept in step with `copies.trusted` by `L1Copies`.
   */
  nearSync?: { getSync(key: string): unknown };
  private readonly copies: L1Copies;
  private readonly link: TieredBusLink;
  private readonly through: ReadThrough;
  private readonly name: string;
  /** Read to probe a tier that has no `ping`. */
  private readonly pingKey: string;
  private readonly startup: TieredStartup;
  /** Writes L2 failed after they may have left: the other instances are told once L2 answers. */
  private readonly unsettled: UnsettledWrites;

  constructor(tiers: TieredStoreTiers, context: Partial<Pick<StoreContext, 'name' | 'namespace' | 'logger'>> = {}) {
    this.l1 = tiers.l1;
    this.l2 = tiers.l2;
    const name = (this.name = context.name ?? 'tiered');
    const logger = context.logger ?? consoleLogger;
    const ns = context.namespace ?? '';
    this.pingKey = pingKey(ns);
    this.startup = tiers.startup ?? { required: false, timeoutMs: TIERED_DEFAULTS.connectTimeout };
    const clearFailed = (err: unknown) => logger.warn(`Cache store "${name}": L1 clear failed: ${String(err)}`);
    const l1 = tiers.l1;
    // `nearSync` is L1 itself (its own getSync, no wrapper), only while L1 is trusted.
    const near = l1.getSync !== undefined ? (l1 as Required<Pick<CacheStore, 'getSync'>>) : undefined;
    const trustChanged = (trusted: boolean) => {
      this.nearSync = trusted ? near : undefined;
    };
    // Until the bus is subscribed, another instance's write could go unnoticed.
    trustChanged(!tiers.bus);
    const copies = (this.copies = new L1Copies(l1, tiers.l1TtlMs, !tiers.bus, clearFailed, ns, trustChanged));
    this.through = new ReadThrough(tiers.l2, copies);
    const link = (this.link = new TieredBusLink(tiers.bus, copies.busListener(), name, logger, this.startup.required));
    this.unsettled = new UnsettledWrites({
      probe: (keys) => (keys === 'clear' ? this.ping() : readMany(tiers.l2, keys)),
      dropLocal: (keys) => copies.forget(keys),
      announce: (keys) => link.announce(keys),
      warn: (message) => logger.warn(`Cache store "${name}": ${message}`),
    });
    // Rate limits count on the shared tier, atomically where it has the hook.
    if (tiers.l2.throttle) this.throttle = (key, hit) => tiers.l2.throttle!(key, hit);
  }

  /** A rate-limit hit, on L2 (present when L2 has the hook). */
  readonly throttle?: CacheStore['throttle'];

  /**
   * Start-up: connects the bus. By default an unreachable bus (or L2) never fails start-up (logged,
   * L1 bypassed, connects in the background); `requireOnStartup` waits for L2 and the bus.
   */
  async init(): Promise<void> {
    const started = this.link.start()?.catch(() => undefined);
    // By default a first look, so a reachable bus is live for the first request; never longer.
    if (!this.startup.required) return atMost(started, TIERED_DEFAULTS.firstLook);
    try {
      await requireTiers(this.name, () => this.ping(), this.link.bus, this.startup.timeoutMs);
    } catch (err) {
      await this.link.close();
      throw err;
    }
  }

  get(key: string): Promise<unknown> {
    // An L1 hit: no await. The cache reads `nearSync` itself before calling here; anything else
    // takes the async path (a miss looks at L1 again there: nothing next to the L2 round trip).
    const near = this.nearSync;
    let value: unknown;
    try {
      value = near !== undefined ? near.getSync(key) : undefined;
    } catch (err) {
      return Promise.reject(err);
    }
    return value !== undefined ? Promise.resolve(value) : this.getSlow(key);
  }

  private async getSlow(key: string): Promise<unknown> {
    this.link.start();
    if (this.copies.trusted) {
      const near = await this.l1.get(key);
      return near !== undefined ? near : this.through.one(key);
    }
    return l2Or(
      () => this.l2.get(key),
      () => this.l1.get(key),
    );
  }

  async has(key: string): Promise<boolean> {
    this.link.start();
    if (this.copies.trusted && (await this.l1.has?.(key))) return true;
    return l2Or(
      async () => (this.l2.has ? this.l2.has(key) : (await this.l2.get(key)) !== undefined),
      async () => (await this.l1.get(key)) !== undefined,
    );
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    this.link.start();
    const { copies } = this;
    if (!copies.trusted)
      return l2Or(
        () => readMany(this.l2, keys),
        () => copies.many(keys),
      );
    return this.through.many(keys, await copies.many(keys));
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.link.start();
    const { copies } = this;
    const ticket = copies.dropAndBegin(key);
    try {
      await this.l2Write([key], this.l2.set(key, value, ttlMs));
      await copies.fill(key, value, ttlMs ?? Infinity, ticket);
    } finally {
      copies.reads.end(key);
    }
    await this.link.announce([key]);
  }

  async setMany(entries: readonly StoreEntry[]): Promise<void> {
    this.link.start();
    const { copies } = this;
    const tickets = entries.map((e) => copies.dropAndBegin(e.key));
    try {
      const keys = entries.map((e) => e.key);
      if (this.l2.setMany) await this.l2Write(keys, this.l2.setMany(entries));
      else await this.l2Write(keys, Promise.all(entries.map((e) => this.l2.set(e.key, e.value, e.ttlMs))));
      for (let i = 0; i < entries.length; i++)
        await copies.fill(entries[i].key, entries[i].value, entries[i].ttlMs ?? Infinity, tickets[i]);
    } finally {
      entries.forEach((e) => copies.reads.end(e.key));
    }
    await this.link.announce(entries.map((e) => e.key));
  }

  async add(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    this.link.start();
    const { copies } = this;
    const ticket = copies.reads.begin(key);
    let added: boolean;
    try {
      if (this.l2.add) added = await this.l2Write([key], this.l2.add(key, value, ttlMs));
      else if ((await this.l2.get(key)) !== undefined) added = false;
      else added = (await this.l2Write([key], this.l2.set(key, value, ttlMs)), true); // not atomic: see docs/stores-tiered.md
      if (added) {
        // A copy here could only be a leftover of an entry L2 lost (eviction): replace it.
        await this.l1.delete(key);
        await copies.fill(key, value, ttlMs ?? Infinity, ticket);
      }
    } finally {
      copies.reads.end(key);
    }
    if (added) await this.link.announce([key]);
    return added;
  }

  async delete(key: string): Promise<boolean> {
    this.link.start();
    await this.copies.drop(key);
    const removed = await this.l2Write([key], this.l2.delete(key));
    await this.link.announce([key]);
    return removed;
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    this.link.start();
    // Tag flushes arrive here too (the core deletes tag version keys): every L1 must hear of it.
    for (const k of keys) await this.copies.drop(k);
    const n = await this.l2Write(
      keys,
      this.l2.deleteMany
        ? this.l2.deleteMany(keys)
        : Promise.all(keys.map((k) => this.l2.delete(k))).then((all) => all.filter(Boolean).length),
    );
    await this.link.announce(keys);
    return n;
  }

  /** Empties the namespace the store was built with (see {@link clearNamespace}). */
  clear(): Promise<void> {
    return this.clearNamespace(this.copies.namespace ?? '');
  }

  /** Removes `namespace` from both tiers (each may serve other caches); the others drop their L1 copies of ours. */
  async clearNamespace(namespace: string): Promise<void> {
    this.link.start();
    this.copies.reads.spoilAll();
    await clearIn(this.l1, namespace);
    await this.l2Write('clear', clearIn(this.l2, namespace));
    this.copies.waiters.wakeAll();
    await this.link.announce('clear');
  }

  async increment(key: string, by: number, ttlMs?: number): Promise<number> {
    this.link.start();
    if (!this.l2.increment) throw new CacheUnsupportedError(this.name, 'increment');
    await this.copies.drop(key);
    const n = await this.l2Write([key], this.l2.increment(key, by, ttlMs));
    await this.link.announce([key]);
    return n;
  }

  async ttl(key: string): Promise<number | undefined> {
    if (!this.l2.ttl) throw new CacheUnsupportedError(this.name, 'ttl');
    const l2Ttl = this.l2.ttl.bind(this.l2);
    return l2Or(
      () => l2Ttl(key),
      async () => this.l1.ttl?.(key),
    );
  }

  async touch(key: string, ttlMs?: number): Promise<boolean> {
    this.link.start();
    await this.copies.drop(key);
    let existed: boolean;
    if (this.l2.touch) existed = await this.l2Write([key], this.l2.touch(key, ttlMs));
    else {
      const value = await this.l2.get(key);
      existed = value !== undefined && (await this.l2Write([key], this.l2.set(key, value, ttlMs)), true);
    }
    await this.link.announce([key]);
    return existed;
  }

  async ping(): Promise<void> {
    if (this.l2.ping) await this.l2.ping();
    else await this.l2.get(this.pingKey);
  }

  /** `up`; `degraded` when L2 or the bus is down (L1 still serves); `down` when L1 fails. */
  healthDetail(): Promise<StoreHealthDetail> {
    return tieredHealthDetail(this.l1, this.l2, this.link.bus, this.pingKey);
  }

  stats(): StoreStats {
    return tieredStats(this.l1, this.link.faults);
  }

  // Locks and change notifications belong to the shared tier. A lock taken settles the bus first,
  // so the holder reads no copy older than the last holder's writes (docs/stores-tiered.md#locks).
  async acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    const taken = await (this.l2.acquireLock ? this.l2.acquireLock(key, token, ttlMs) : this.add(key, token, ttlMs));
    if (taken && !(await this.link.settle())) await this.copies.empty();
    return taken;
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
    return this.copies.waiters.wait(key, timeoutMs);
  }

  /** Closes the bus connections. The tiers are closed by their owner (the cache manager). */
  async close(): Promise<void> {
    this.unsettled.close();
    this.copies.waiters.wakeAll();
    await this.link.close();
  }

  /** An L2 write; one failed for any reason but the caller's may be applied: see unsettled-writes.ts. */
  private async l2Write<T>(keys: readonly string[] | 'clear', write: Promise<T>): Promise<T> {
    try {
      return await write;
    } catch (err) {
      if (!isCallerError(err, 'set')) this.unsettled.add(keys);
      throw err;
    }
  }
}
