import { createHash } from 'node:crypto';
import { CacheArgumentError } from '../../core/cache.errors';
import { consoleLogger, type CacheLogger } from '../../core/logger';
import { asyncCodec, readBatch, serializeEntries, withKeyHashing, type PipelineSerializer } from '../../core/pipeline';
import type { CacheStore, StoreContext, StoreEntry } from '../../core/store.types';
import type { CacheSerializer } from '../../core/serializer';
import { getWithTagsByGetMany } from '../../core/tags/get-with-tags';
import type { InvalidationBus } from '../tiered/invalidation-bus';
import { PostgresConnection } from './postgres.connection';
import { PostgresLeases } from './postgres.leases';
import { PostgresBus } from './postgres.bus';
import {
  resolvePostgresOptions,
  type PostgresStoreOptions,
  type ResolvedPostgresOptions,
} from './postgres-store.options';
import { encodeKey, statements, type Statements } from './postgres.sql';
import { PostgresReads } from './postgres.reads';
import { PostgresSweep } from './postgres.sweep';
import { throttleOnPostgres } from './postgres.throttle';
import type { ThrottleHit, ThrottleResult } from '../../core/locks/throttle-step';

/** What the store needs from its surroundings; `createCacheManager` passes the full context. */
export type PostgresStoreContext = Pick<StoreContext, 'namespace'> & Partial<Pick<StoreContext, 'name' | 'logger'>>;

/** Rows deleted per statement by `clear()`. */
const CLEAR_BATCH = 5000;
/** How the core's lease keys (`\0l:` after the namespace) begin once stored. */
const LEASE = encodeKey('\u0000l:');
/** How a key outside the store's namespace begins once stored (encodeKey never starts so). */
const FOREIGN = '\u0001\u0003';

/**
 * `driver: 'postgres'`: a store on a PostgreSQL table through node-postgres (an optional peer,
 * loaded on first use). One row per entry; every operation is one statement (one round trip),
 * expiry follows the database's clock, expired rows are invisible at once and swept in bounded
 * batches in the background.
 *
 * @example
 * const store = new PostgresStore({ url: 'postgres://app@127.0.0.1/app' }, { namespace: 'app' });
 */
export class PostgresStore implements CacheStore {
  private readonly o: ResolvedPostgresOptions;
  private readonly ns: string;
  private readonly nsPrefix: string;
  private readonly name: string;
  private readonly logger: CacheLogger;
  private readonly serializer: CacheSerializer;
  private readonly codec?: PipelineSerializer; // `compress`: large values off the event loop
  private readonly sql: Statements;
  private readonly conn: PostgresConnection;
  private readonly leases: PostgresLeases;
  private readonly sweeper: PostgresSweep;
  private readonly reads: PostgresReads;

  constructor(options: PostgresStoreOptions, context: PostgresStoreContext) {
    this.name = context.name ?? 'postgres';
    this.o = resolvePostgresOptions(options, this.name);
    this.ns = context.namespace;
    this.nsPrefix = this.ns ? `${this.ns}:` : '';
    this.logger = context.logger ?? consoleLogger;
    this.serializer = this.o.pipeline.serializer;
    this.codec = asyncCodec(this.serializer);
    this.sql = statements(this.o.qualified);
    this.conn = new PostgresConnection(this.o, this.name, this.logger);
    this.leases = new PostgresLeases(
      this.conn,
      this.sql,
      this.ns,
      // Tokens are compared as stored text: written without the pipeline (they are random, not data).
      this.o.pipeline.plain,
      this.channel('chg'),
      // The core's lease of `<ns>:<key>` is `<ns>:\0l:<key>`: stored as LEASE + the key's stored form.
      (leaseKey) => (leaseKey.startsWith(LEASE) ? leaseKey.slice(LEASE.length) : leaseKey),
      this.o.timeout,
    );
    // As many single reads in flight as the pool has connections; more leave together.
    const slots = options.client
      ? 1
      : Number(
          options.pool
            ? ((options.pool as { options?: { max?: number } }).options?.max ?? 10)
            : (options.options?.max ?? 10),
        );
    this.reads = new PostgresReads(this.conn, this.sql, this.ns, Math.max(1, slots));
    this.sweeper = new PostgresSweep(this.conn, this.sql, this.o.sweepIntervalMs, this.o.sweepBatch);
    this.sweeper.start();
    // hashKeys: the store only ever sees hashed keys (a constructor may return a view of itself).
    return withKeyHashing(this, this.o.pipeline, this.ns, this.name);
  }

  /** Sets the table up (created or checked); see `requireOnStartup` for an unreachable database. */
  init(): Promise<void> {
    return this.conn.init();
  }

  async get(key: string): Promise<unknown> {
    const text = await this.reads.get(this.k(key));
    if (text === undefined) return undefined;
    return this.codec ? this.codec.deserializeAsync(text, key) : this.serializer.deserialize(text, key);
  }

  async has(key: string): Promise<boolean> {
    return (await this.conn.run('has', this.sql.has, [this.ns, this.k(key)])).rows.length > 0;
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const text = this.codec ? await this.codec.serializeAsync(value, key) : this.serializer.serialize(value, key);
    const k = this.k(key);
    await this.conn.run('set', this.sql.set, [this.ns, k, text, ttlMs ?? null]);
    this.leases.notify(k);
  }

  async add(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const text = this.codec ? await this.codec.serializeAsync(value, key) : this.serializer.serialize(value, key);
    const k = this.k(key);
    const added = (await this.conn.run('add', this.sql.add, [this.ns, k, text, ttlMs ?? null])).rowCount === 1;
    if (added) this.leases.notify(k);
    return added;
  }

  async delete(key: string): Promise<boolean> {
    const k = this.k(key);
    const r = await this.conn.run('delete', this.sql.delete, [this.ns, k]);
    this.leases.notify(k);
    return r.rows.length > 0 && r.rows[0][0] === true;
  }

  getMany(keys: readonly string[]): Promise<unknown[]> {
    return this.readMany('getMany', keys);
  }

  /** A tagged read in one round trip: one query for the entry and the tag versions. */
  getWithTags(key: string, tagKeys: readonly string[]): Promise<unknown[]> {
    return getWithTagsByGetMany((keys) => this.readMany('get', keys), key, tagKeys);
  }

  private async readMany(op: string, keys: readonly string[]): Promise<unknown[]> {
    if (keys.length === 0) return [];
    const ks = keys.map((key) => this.k(key));
    const r = await this.conn.run(op, this.sql.getMany, [this.ns, ks]);
    const found = new Map<string, string>();
    for (const row of r.rows) found.set(row[0] as string, row[1] as string);
    return readBatch(
      this.serializer,
      ks.map((k) => found.get(k)),
      keys,
    );
  }

  async setMany(entries: readonly StoreEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // Serialize everything first, so one value that cannot be stored writes nothing. One
    // statement cannot write a row twice: the last entry of a repeated key wins.
    const rows = new Map<string, [string, number | null]>();
    const texts = await serializeEntries(this.serializer, entries);
    entries.forEach((e, i) => rows.set(this.k(e.key), [texts[i], e.ttlMs ?? null]));
    const ks = [...rows.keys()];
    const vs = ks.map((k) => rows.get(k)![0]);
    const ts = ks.map((k) => rows.get(k)![1]);
    await this.conn.run('setMany', this.sql.setMany, [this.ns, ks, vs, ts]);
    for (const k of ks) this.leases.notify(k);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const ks = [...new Set(keys.map((key) => this.k(key)))];
    const r = await this.conn.run('deleteMany', this.sql.deleteMany, [this.ns, ks]);
    for (const k of ks) this.leases.notify(k);
    return r.rows[0][0] as number;
  }

  async increment(key: string, by: number, ttlMs?: number): Promise<number> {
    const k = this.k(key);
    let rows: unknown[][];
    try {
      ({ rows } = await this.conn.run('increment', this.sql.increment, [this.ns, k, String(by), ttlMs ?? null]));
    } catch (err) {
      if ((err as Error).cause && /invalid input syntax for type numeric/.test(String((err as Error).cause))) {
        throw new CacheArgumentError(
          `Cannot increment key ${JSON.stringify(this.userKey(key))}: it does not hold a number`,
        );
      }
      throw err;
    }
    if (rows.length === 0) {
      throw new CacheArgumentError(
        `Cannot increment key ${JSON.stringify(this.userKey(key))}: the result would exceed Number.MAX_SAFE_INTEGER`,
      );
    }
    this.leases.notify(k);
    return Number(rows[0][0]);
  }

  async ttl(key: string): Promise<number | undefined> {
    const r = await this.conn.run('ttl', this.sql.ttl, [this.ns, this.k(key)]);
    if (r.rows.length === 0) return undefined;
    const ms = r.rows[0][0] as number;
    return ms < 0 ? Infinity : ms;
  }

  async touch(key: string, ttlMs?: number): Promise<boolean> {
    const k = this.k(key);
    const touched = (await this.conn.run('touch', this.sql.touch, [this.ns, k, ttlMs ?? null])).rowCount === 1;
    if (touched) this.leases.notify(k);
    return touched;
  }

  async ping(): Promise<void> {
    await this.conn.run('ping', this.sql.ping, []);
  }

  /** Deletes this namespace's rows (and nothing else), in batches of short transactions. */
  async clear(): Promise<void> {
    for (;;) {
      const r = await this.conn.run('clear', this.sql.clearBatch, [this.ns, CLEAR_BATCH]);
      if ((r.rowCount ?? 0) < CLEAR_BATCH) break;
    }
  }

  /**
   * Deletes the rows of the keys of `namespace` only: one instance may serve caches of several
   * namespaces, whose rows all carry the namespace it was built with (keys of another namespace
   * stored marked, see {@link k}). The empty namespace is every row of the instance.
   */
  async clearNamespace(namespace: string): Promise<void> {
    if (!namespace) return this.clear();
    const prefix = this.k(`${namespace}:`);
    // Its own namespace: every row but the marked ones of other namespaces.
    const params = [this.ns, prefix, prefix === '' ? FOREIGN : null, CLEAR_BATCH];
    for (;;) {
      const r = await this.conn.run('clear', this.sql.clearPrefixBatch, params);
      if ((r.rowCount ?? 0) < CLEAR_BATCH) break;
    }
  }

  acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.leases.acquire(this.k(key), token, ttlMs);
  }

  renewLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.leases.renew(this.k(key), token, ttlMs);
  }

  releaseLock(key: string, token: string): Promise<boolean> {
    return this.leases.release(this.k(key), token);
  }

  waitForChange(key: string, timeoutMs: number): Promise<void> {
    return this.leases.wait(this.k(key), timeoutMs);
  }

  /** A rate-limit hit: `throttleStep` as a compare-and-set on the database's clock (see postgres.throttle.ts). */
  throttle(key: string, hit: ThrottleHit): Promise<ThrottleResult> {
    const target = { ns: this.ns, k: this.k(key), store: this.name, serializer: this.serializer };
    return throttleOnPostgres(this.conn, this.sql, target, hit);
  }

  /** Deletes expired rows now (the background sweep does it every `sweepInterval`); resolves how many. */
  sweep(): Promise<number> {
    return this.sweeper.sweep();
  }

  /**
   * The two-tier store's invalidation bus over LISTEN/NOTIFY, on a dedicated connection to this
   * store's database (used when a tiered store's L2 is this store and no `bus` is configured).
   */
  createInvalidationBus(channel: string, name: string, logger: CacheLogger): InvalidationBus {
    return new PostgresBus(this.conn, this.channel(`bus:${channel}`, 'bus'), name, logger, this.o.timeout);
  }

  /** Stops the sweep and the LISTEN connection, and ends the pool if the store opened it. */
  async close(): Promise<void> {
    await this.sweeper.stop();
    await this.leases.close();
    await this.conn.close();
  }

  // ------------------------------------------------------------------------------------------

  /** The stored key: without the namespace (a column of its own), NUL-free. */
  private k(key: string): string {
    if (key.startsWith(this.nsPrefix)) return encodeKey(key.slice(this.nsPrefix.length));
    return FOREIGN + encodeKey(key); // not in the namespace: cannot collide with one that is
  }

  private userKey(key: string): string {
    return key.startsWith(this.nsPrefix) ? key.slice(this.nsPrefix.length) : key;
  }

  /** A NOTIFY channel name (≤ 63 bytes) unique to this table and namespace. */
  private channel(seed: string, kind = 'chg'): string {
    const h = createHash('sha1').update(`${this.o.qualified}\u0000${this.ns}\u0000${seed}`).digest('hex');
    return `cachekit_${kind}_${h.slice(0, 32)}`;
  }
}
