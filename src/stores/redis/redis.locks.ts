import type { Cluster, Redis } from 'ioredis';
import { changeChannel, lockedKeyOf } from '../../core/keys';
import { px } from './redis.commands';
import type { RedisClient } from './redis-client';
import type { RedisConnection } from './redis.connection';
import { ChangeNotifier } from './redis.notifier';
import { RELEASE_LOCK, RENEW_LOCK } from './redis.scripts';

/**
 * The leases of a Redis store (`remember` with `lock: true`) and the change notifications that
 * wake waiters as soon as a holder releases, in every process. A lease is a plain key set with
 * NX and a TTL; renew and release are scripts, so only the holder's token counts.
 */
export class RedisLocks {
  /** Wakes `waitForChange` callers; the store's own writes announce their keys on it too. */
  readonly notifier: ChangeNotifier;

  constructor(
    private readonly conn: RedisConnection,
    private readonly ns: string,
  ) {
    this.notifier = new ChangeNotifier(changeChannel(ns), () => this.openSubscriber());
  }

  async acquire(key: string, token: string, ttlMs: number): Promise<boolean> {
    const c = this.conn.client ?? (await this.conn.connected('lock'));
    try {
      return (await this.conn.guarded(c.set(key, token, 'PX', px(ttlMs), 'NX'))) !== null;
    } catch (err) {
      throw this.conn.failure('lock', err);
    }
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const renewed = this.conn.eval('lock', RENEW_LOCK, key, token, String(px(ttlMs)));
    return (await renewed.catch((e) => this.conn.rethrow('lock', e))) === 1;
  }

  async release(key: string, token: string): Promise<boolean> {
    // The key the lease guards (the core's `<ns>:\0l:<key>`) is announced, waking its waiters.
    const guarded = lockedKeyOf(this.ns, key) ?? key;
    const released = await this.conn
      .eval('unlock', RELEASE_LOCK, key, token, this.notifier.channel, guarded)
      .catch((e) => this.conn.rethrow('unlock', e));
    if (!this.notifier.idle) this.notifier.notify(guarded);
    return released === 1;
  }

  wait(key: string, timeoutMs: number): Promise<void> {
    return this.notifier.wait(key, timeoutMs);
  }

  /** Wakes every waiter and drops the subscriber connection. */
  close(): void {
    this.notifier.close();
  }

  private async openSubscriber(): Promise<RedisClient> {
    const c = await this.conn.started();
    // The subscriber may queue SUBSCRIBE until it connects: nothing waits on it but a timer.
    const sub = (
      c.isCluster
        ? (c as Cluster).duplicate([], { enableOfflineQueue: true, lazyConnect: false })
        : (c as Redis).duplicate({ enableOfflineQueue: true, lazyConnect: false })
    ) as RedisClient;
    sub.on('error', () => undefined);
    return sub;
  }
}
