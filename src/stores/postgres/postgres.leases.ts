import type { CacheSerializer } from '../../core/serializer';
import { ChangeWaiters } from '../tiered/change-waiters';
import type { PostgresConnection } from './postgres.connection';
import { PgListener } from './postgres.listener';
import type { Statements } from './postgres.sql';

/**
 * Leases on the entries table (`remember` with `lock: true`, and any lock built on the store's
 * `acquireLock`/`renewLock`/`releaseLock`): a lease is a row whose value is the holder's token
 * and whose expiry is the lease's end, so a holder that dies frees it after its TTL. Taking one is
 * the store's atomic `add`; renew and release match the token, so only the holder counts.
 *
 * A release NOTIFYs the guarded key on the store's change channel in the same statement, and
 * waiters in every process (one LISTEN connection each, opened at the first wait) wake at once.
 */
export class PostgresLeases {
  private readonly waiters = new ChangeWaiters();
  private listener?: PgListener;
  private idleWaiters = true;

  constructor(
    private readonly conn: PostgresConnection,
    private readonly sql: Statements,
    private readonly ns: string,
    private readonly serializer: CacheSerializer,
    /** Where releases are announced; derived from the table and namespace. */
    readonly channel: string,
    /** Maps a lease key to the key it guards (`<ns>:\0l:<key>` → `<ns>:<key>`), as stored. */
    private readonly guarded: (leaseKey: string) => string,
    private readonly timeout: number,
  ) {}

  /** Resolves whether `token` now holds the lease `k` (stored key), for `ttlMs`. */
  async acquire(k: string, token: string, ttlMs: number): Promise<boolean> {
    const r = await this.conn.run('lock', this.sql.add, [this.ns, k, this.serializer.serialize(token), ttlMs]);
    return r.rowCount === 1;
  }

  async renew(k: string, token: string, ttlMs: number): Promise<boolean> {
    const r = await this.conn.run('lock', this.sql.renew, [this.ns, k, this.serializer.serialize(token), ttlMs]);
    return r.rowCount === 1;
  }

  /** Resolves whether `token` held the lease (and so released it). */
  async release(k: string, token: string): Promise<boolean> {
    const woken = this.guarded(k);
    const args = [this.ns, k, this.serializer.serialize(token), this.channel, woken];
    const released = (await this.conn.run('unlock', this.sql.release, args)).rows.length > 0;
    this.notify(woken);
    return released;
  }

  /** Resolves when `k` (stored key) changes here or is released anywhere, or after `timeoutMs`. */
  wait(k: string, timeoutMs: number): Promise<void> {
    if (!this.listener) {
      this.listener = new PgListener(
        () => this.conn.library(),
        () => this.conn.listenerConfig(),
        this.channel,
        { message: (key) => this.waiters.wake(key), up: () => this.waiters.wakeAll(), down: () => undefined },
        this.timeout,
      );
      // A wait without the listener ends at its timeout and the core polls: never an error.
      this.listener.start().catch(() => undefined);
    }
    this.idleWaiters = false;
    return this.waiters.wait(k, timeoutMs);
  }

  /** A local write of `k`: wakes this process's waiters (other processes poll or hear a release). */
  notify(k: string): void {
    if (!this.idleWaiters) this.waiters.wake(k);
  }

  async close(): Promise<void> {
    this.waiters.wakeAll();
    await this.listener?.close();
  }
}
