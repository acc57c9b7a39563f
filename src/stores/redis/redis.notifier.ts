import type { RedisClient } from './redis-client';

interface Waiter {
  resolve(): void;
  timer: NodeJS.Timeout;
}

/**
 * Wakes `waitForChange` callers when a key they wait for is written here or released by a lock
 * holder in any process (the release script publishes the key on `channel`). The subscriber
 * connection is opened at the first wait and kept, so later waits start already subscribed.
 * Waits never fail: without a notification they end at their timeout and the core polls.
 */
export class ChangeNotifier {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private subscriber?: RedisClient;
  private subscribing?: Promise<void>;
  private closed = false;

  constructor(
    readonly channel: string,
    private readonly openSubscriber: () => Promise<RedisClient>,
  ) {}

  /** Resolves when `key` changes or after `timeoutMs`. */
  wait(key: string, timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.subscribing ??= this.subscribe().catch(() => {
      // Retried by the next wait; this one ends at its timeout.
      this.subscribing = undefined;
    });
    return new Promise<void>((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => this.settle(key, waiter), Math.max(1, timeoutMs)),
      };
      waiter.timer.unref();
      set.add(waiter);
    });
  }

  /** Wakes the waiters of `key` (a local write, or a message from another process). */
  notify(key: string): void {
    const set = this.waiters.get(key);
    if (!set) return;
    this.waiters.delete(key);
    for (const w of set) w.resolve();
  }

  /** Whether anyone waits; lets writers skip the lookup. */
  get idle(): boolean {
    return this.waiters.size === 0;
  }

  /** Wakes every waiter and drops the subscriber connection. */
  close(): void {
    this.closed = true;
    for (const set of this.waiters.values()) for (const w of set) w.resolve();
    this.waiters.clear();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  private settle(key: string, waiter: Waiter): void {
    const set = this.waiters.get(key);
    set?.delete(waiter);
    if (set?.size === 0) this.waiters.delete(key);
    waiter.resolve();
  }

  private async subscribe(): Promise<void> {
    if (!this.subscriber) {
      const sub = await this.openSubscriber();
      if (this.closed) {
        sub.disconnect();
        return;
      }
      sub.on('message', (channel: string, message: string) => {
        if (channel === this.channel) this.notify(message);
      });
      this.subscriber = sub;
    }
    await this.subscriber.subscribe(this.channel);
  }
}
