/*
 * The contract between the two-tier store and whatever carries its invalidations between
 * instances. Implementations live with their backend (`RedisBus` in stores/redis/redis.bus.ts);
 * this file imports nothing, so a new bus (PostgreSQL LISTEN/NOTIFY, NATS...) depends on it only.
 *
 * What a bus must guarantee:
 * - `publish` reaches every other instance subscribed to the same channel while both are
 *   connected; messages from the publishing instance itself are not delivered back to it.
 * - `down()` is called as soon as messages may be missed, and `up()` once every message from
 *   then on arrives (the store empties its L1 on `up()`, since what came in between is lost).
 * - `settle()` (optional) is a barrier on the delivery of messages already published: what a lock
 *   on the two-tier store waits for after it is taken (docs/stores-tiered.md, "Locks").
 * - A bus never carries values: only keys (or "clear"). The built-in buses seal the keys when the
 *   L2 has `encrypt` or `hashKeys` (bus-seal.ts); a message they cannot read empties L1.
 */

/** What a bus tells the store it serves. */
export interface BusListener {
  /** Another instance changed these keys: drop the local copies. */
  keys(keys: readonly string[]): void;
  /** Another instance cleared the store. */
  clear(): void;
  /** The subscription is lost: messages may be missed from now on. */
  down(): void;
  /** Subscribed (again): every message from now on arrives. */
  up(): void;
  /**
   * A message arrived that this instance cannot read (sealed under a key it lacks, tampered); the
   * bus has called `clear()` for it already. Counted in the store's `stats().errors` and logged.
   */
  fault?(reason: string): void;
}

/** Carries invalidations between the instances of a two-tier store. */
export interface InvalidationBus {
  /**
   * Connects and subscribes; resolves once subscribed, rejects when the first attempt fails.
   * After a rejection the bus keeps trying on its own and calls `listener.up()` once it is
   * subscribed: a failed start never needs a second call.
   */
  start(listener: BusListener): Promise<void>;
  /** Tells the other instances to drop these keys (`'clear'`: everything); rejects on failure. */
  publish(keys: readonly string[] | 'clear'): Promise<void>;
  /**
   * A barrier: resolves `true` once every message whose `publish` (by any instance) resolved
   * before the call has been handed to the listener; `false` when this bus cannot tell (the store
   * then empties its L1); rejects on failure or timeout (the same). A lock taken on the two-tier
   * store waits for it, so the holder reads nothing older than the previous holder's writes. A
   * bus without it: L1 is emptied at every lock taken.
   */
  settle?(): Promise<boolean>;
  /** Whether the subscription is live. */
  readonly connected: boolean;
  /** Where the bus connects, for messages (credentials masked). */
  readonly address?: string;
  /** Stops for good: unsubscribes and closes the connections it opened. */
  close(): Promise<void>;
}
