/** In-flight L2 reads of one key, and whether the key changed meanwhile. */
interface Reading {
  count: number;
  dirty: boolean;
}

/**
 * Keeps a back-fill from resurrecting a value that changed meanwhile. A read of L2 (or a write
 * through it) takes a ticket before it starts, and copies its value into L1 afterwards only if
 * the ticket still holds: nothing changed the key (a write, delete or bus message spoils the
 * reads of it in flight) and no clear or bus state change started a new epoch.
 */
export class ReadTickets {
  private readonly reads = new Map<string, Reading>();
  /** Bumped by clear and by bus state changes: L2 reads started before must not fill L1. */
  private epoch = 0;

  /** Counts a read of `key` in flight until {@link end}; the ticket is checked by {@link valid}. */
  begin(key: string): number {
    const r = this.reads.get(key);
    if (r) r.count++;
    else this.reads.set(key, { count: 1, dirty: false });
    return this.epoch;
  }

  end(key: string): void {
    const r = this.reads.get(key);
    if (r && --r.count === 0) this.reads.delete(key);
  }

  /** Whether a read of `key` begun with `ticket` may still copy its value into L1. */
  valid(key: string, ticket: number): boolean {
    return ticket === this.epoch && !this.reads.get(key)?.dirty;
  }

  /** `key` changed: the reads of it in flight hold a stale value. */
  spoil(key: string): void {
    const r = this.reads.get(key);
    if (r) r.dirty = true;
  }

  /** Anything may have changed (a clear, or the bus is back after missed messages). */
  spoilAll(): void {
    this.epoch++;
    for (const r of this.reads.values()) r.dirty = true;
  }

  /** Tickets taken until now are void (the bus is down: other instances' changes go unheard). */
  newEpoch(): void {
    this.epoch++;
  }
}
