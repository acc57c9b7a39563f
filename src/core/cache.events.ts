import diagnosticsChannel from 'node:diagnostics_channel';
import { CacheArgumentError } from './cache.errors';
import { closestKey } from './option-checks';

/** Every event type a cache reports. */
const EVENT_TYPES = ['hit', 'miss', 'write', 'delete', 'evict', 'error', 'stale', 'lock-wait', 'flush'] as const;

/** What other caches call some of them (cache-manager's `set` and `del`, the seed's `put`/`forget`). */
const EVENT_ALIASES: Readonly<Record<string, CacheEventType>> = {
  set: 'write',
  put: 'write',
  del: 'delete',
  remove: 'delete',
  forget: 'delete',
  clear: 'delete',
};

/** Everything a cache reports. */
export type CacheEventType = (typeof EVENT_TYPES)[number];

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

  /**
   * Subscribes to one event type, or `'*'` for all. Returns the unsubscribe function. An unknown
   * type (`'set'` for `'write'`) or a listener that is not a function is a `CacheArgumentError`:
   * it would never be called.
   */
  on(type: CacheEventType | '*', listener: CacheEventListener): () => void {
    if (type !== '*' && !(EVENT_TYPES as readonly string[]).includes(type)) {
      const near =
        typeof type === 'string'
          ? Object.hasOwn(EVENT_ALIASES, type)
            ? EVENT_ALIASES[type]
            : closestKey(type, EVENT_TYPES)
          : undefined;
      throw new CacheArgumentError(
        `on(${JSON.stringify(String(type))}): not a cache event${near ? `; did you mean "${near}"?` : ''} ` +
          `Events: ${EVENT_TYPES.join(', ')}, or '*' for all.`,
      );
    }
    if (typeof listener !== 'function') {
      throw new CacheArgumentError(`on("${type}", listener): the listener must be a function, got ${typeof listener}`);
    }
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
