import diagnosticsChannel from 'node:diagnostics_channel';

/** Everything a cache reports. */
export type CacheEventType = 'hit' | 'miss' | 'write' | 'delete' | 'evict' | 'error' | 'stale' | 'lock-wait' | 'flush';

export interface CacheEvent {
  type: CacheEventType;
  /** The store's configured name. */
  store: string;
  /** The user's key (tag names joined by `,` for `flush`, `*` for `clear`). */
  key?: string;
  /** How long the operation took, in ms (monotonic clock; 0 for `evict`). */
  durationMs?: number;
  error?: unknown;
  /** The flushed tags (`flush` only). */
  tags?: string[];
}

export type CacheEventListener = (event: CacheEvent) => void;

/** The `node:diagnostics_channel` name every cache event is published on. */
export const CACHE_DIAGNOSTICS_CHANNEL = 'nestjs-cachekit:event';

/**
 * A tiny event bus. With no listener and no diagnostics subscriber, `enabled` is false and the
 * cache skips building events altogether.
 */
export class CacheEvents {
  private readonly listeners = new Map<CacheEventType | '*', Set<CacheEventListener>>();
  private count = 0;
  private readonly channel = diagnosticsChannel.channel(CACHE_DIAGNOSTICS_CHANNEL);

  /** True when somebody listens: callers check it before building an event. */
  get enabled(): boolean {
    return this.count > 0 || this.channel.hasSubscribers;
  }

  /** Subscribes to one event type, or `'*'` for all. Returns the unsubscribe function. */
  on(type: CacheEventType | '*', listener: CacheEventListener): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    if (!set.has(listener)) {
      set.add(listener);
      this.count++;
    }
    return () => {
      if (set.delete(listener)) this.count--;
    };
  }

  emit(event: CacheEvent): void {
    if (this.channel.hasSubscribers) this.channel.publish(event);
    if (this.count === 0) return;
    for (const type of [event.type, '*'] as const) {
      const set = this.listeners.get(type);
      if (!set) continue;
      for (const l of set) {
        try {
          l(event);
        } catch {
          // A faulty listener must never break a cache operation.
        }
      }
    }
  }
}
