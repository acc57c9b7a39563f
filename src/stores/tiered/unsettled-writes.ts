/**
 * The writes of a two-tier store whose outcome is unknown: L2 failed them (a timeout, a lost
 * connection) after they may have left, so L2 may still apply them (a stalled Redis does, once it
 * resumes). Each counts as possibly applied: once L2 answers again for those keys, this instance
 * drops its own copies and tells the other instances to drop theirs, in one bus message.
 *
 * Why then and not at the failure: during a stall the bus (usually the same Redis) cannot carry
 * anything either, and a message that arrived before the write is applied would let another
 * instance read the old value again and keep it. L2 answering a read of the same keys (the same
 * connection, node or slot as the writes) means the writes sent before it are settled.
 */

/** What settling needs from the store. */
export interface SettleSteps {
  /** Resolves once L2 answers for `keys` (reads them), or at all for `'clear'`; rejects otherwise. */
  probe(keys: readonly string[] | 'clear'): Promise<unknown>;
  /** Drops this instance's copies: a read since the failure may have copied the old value. */
  dropLocal(keys: readonly string[] | 'clear'): void;
  /** Tells the other instances; resolves whether the message left. */
  announce(keys: readonly string[] | 'clear'): Promise<boolean>;
  /** Logs a warning about the store (the store's name is added). */
  warn(message: string): void;
}

/** Keys remembered one by one; past this many, the other instances are told to drop everything. */
export const MAX_UNSETTLED_KEYS = 1000;
/** First wait before settling again after an attempt failed (ms); it doubles up to the longest. */
const FIRST_RETRY_MS = 50;
const LONGEST_RETRY_MS = 2000;

export class UnsettledWrites {
  private keys = new Set<string>();
  /** A clear, or more keys than are remembered: every copy anywhere may be stale. */
  private all = false;
  private timer?: NodeJS.Timeout;
  private running = false;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;

  constructor(private readonly steps: SettleSteps) {}

  /** Keys (or a clear) whose writes may have been applied: settled as soon as L2 answers. */
  add(keys: readonly string[] | 'clear'): void {
    if (this.closed) return;
    this.remember(keys);
    this.schedule(0);
  }

  /** How many keys wait to be settled (`Infinity`: everything, a clear). */
  get pending(): number {
    return this.all ? Infinity : this.keys.size;
  }

  /** Stops settling (the store closes): what is pending is left to the other instances' L1 TTL. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const left = this.pending;
    if (left === 0) return;
    this.steps.warn(
      `closing before L2 answered again; the other instances were not told of ${left === Infinity ? 'a clear' : `${left} key(s)`} whose writes may have been applied, and keep their L1 copies until they expire`,
    );
  }

  private remember(keys: readonly string[] | 'clear'): void {
    if (this.all) return;
    if (keys === 'clear' || this.keys.size + keys.length > MAX_UNSETTLED_KEYS) {
      this.all = true;
      this.keys.clear();
    } else for (const k of keys) this.keys.add(k);
  }

  private schedule(ms: number): void {
    if (this.timer || this.running || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.settle();
    }, ms);
    this.timer.unref();
  }

  private async settle(): Promise<void> {
    if (this.pending === 0) return;
    this.running = true;
    const keys: readonly string[] | 'clear' = this.all ? 'clear' : [...this.keys];
    this.all = false;
    this.keys = new Set();
    let settled = false;
    try {
      await this.steps.probe(keys);
      this.steps.dropLocal(keys);
      settled = await this.steps.announce(keys);
    } catch {
      // L2 does not answer yet: try again later.
    }
    this.running = false;
    if (settled) {
      this.retryMs = FIRST_RETRY_MS;
      if (this.pending > 0) this.schedule(0);
      return;
    }
    this.remember(keys);
    this.schedule(this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, LONGEST_RETRY_MS);
  }
}
