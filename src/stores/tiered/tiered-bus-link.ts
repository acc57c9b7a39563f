import { errorMessage } from '../../core/format';
import type { CacheLogger } from '../../core/logger';
import type { BusListener, InvalidationBus } from './invalidation-bus';

/**
 * A two-tier store's side of its invalidation bus: starts it once (on first use or at
 * `init`), logs the first failure and the recovery after it, and publishes this instance's
 * changes, logging failed publishes once per thousand.
 */
export class TieredBusLink {
  private started?: Promise<void>;
  private publishFailures = 0;
  private settleFailures = 0;
  /** Messages this instance could not read (each emptied L1): the store's own `stats().errors`. */
  faults = 0;
  /** The bus failed to start and that was logged: its first subscription is logged too. */
  private warned = false;

  constructor(
    readonly bus: InvalidationBus | undefined,
    private readonly listener: BusListener,
    private readonly name: string,
    private readonly logger: CacheLogger,
    /** `requireOnStartup`: a failed start is the start-up's error, not a warning. */
    private readonly required: boolean,
  ) {}

  /** Whether the bus is subscribed (`true` without a bus: nothing can be missed). */
  get connected(): boolean {
    return this.bus ? this.bus.connected : true;
  }

  /** Starts the bus the first time it is called; later calls return the same start. */
  start(): Promise<void> | undefined {
    if (!this.bus || this.started) return this.started;
    const listener = this.listener;
    const up = (): void => {
      listener.up();
      if (this.warned) {
        this.warned = false;
        const log = this.logger.log ?? this.logger.warn;
        log.call(this.logger, `Cache store "${this.name}": invalidation bus${this.at()} connected; L1 in use`);
      }
    };
    const wired: BusListener = {
      keys: (k) => listener.keys(k),
      clear: () => listener.clear(),
      down: () => listener.down(),
      up,
      fault: (why) => this.fault(why),
    };
    this.started = this.bus.start(wired).catch((err: unknown) => {
      if (!this.required) {
        this.warned = true;
        this.logger.warn(
          `Cache store "${this.name}": invalidation bus${this.at()} not connected (${errorMessage(err)}); start-up goes on, L1 is bypassed until it connects in the background`,
        );
      }
      throw err;
    });
    this.started.catch(() => undefined);
    return this.started;
  }

  /**
   * Tells the other instances; resolves whether the message left. A failure is logged (once per
   * thousand) and leaves their copies to expire with their L1 TTL.
   */
  async announce(keys: readonly string[] | 'clear'): Promise<boolean> {
    if (!this.bus) return true;
    try {
      await this.bus.publish(keys);
      return true;
    } catch (err) {
      if (this.publishFailures++ % 1000 === 0) {
        this.logger.warn(
          `Cache store "${this.name}": could not publish an invalidation (${errorMessage(err)}); other instances keep their L1 copies until they expire`,
        );
      }
      return false;
    }
  }

  /**
   * Waits until the messages other instances published before now have reached this one (the
   * bus's `settle`); resolves whether L1 may be kept. `false` (the bus cannot tell, has no
   * `settle`, failed or timed out: logged once per thousand) means the caller must empty L1.
   * While the bus is down L1 is not read at all, and it is emptied when the bus is back: `true`.
   */
  async settle(): Promise<boolean> {
    const bus = this.bus;
    if (!bus || !bus.connected) return true;
    if (!bus.settle) return false;
    try {
      return await bus.settle();
    } catch (err) {
      if (this.settleFailures++ % 1000 === 0) {
        this.logger.warn(
          `Cache store "${this.name}": could not wait for the invalidations sent before a lock was taken (${errorMessage(err)}); L1 emptied`,
        );
      }
      return false;
    }
  }

  /** A message that could not be read (the bus emptied L1 for it): counted, logged once per thousand. */
  private fault(why: string): void {
    if (this.faults++ % 1000 !== 0) return;
    this.logger.warn(
      `Cache store "${this.name}": an invalidation message from another instance could not be read (${why}); L1 emptied. Every instance needs the same encrypt.keys (or hashKeys secret) on its L2`,
    );
  }

  /** Stops the bus for good. */
  async close(): Promise<void> {
    await this.bus?.close();
  }

  private at(): string {
    return this.bus?.address ? ` at ${this.bus.address}` : '';
  }
}
