import { UnreadableEntry } from '../../core/store-access/unreadable-entry';
import type { CacheStore } from '../../core/store.types';
import type { L1Copies } from './l1-copies';
import { readMany } from './l1-copies';

/**
 * The reads of a two-tier store that L1 could not answer: they go to L2 and copy what they find
 * into L1 for the time L2 still keeps it (its remaining TTL, read in the same round trip), unless
 * the key changed meanwhile (the read's ticket no longer holds).
 */
export class ReadThrough {
  constructor(
    private readonly l2: CacheStore,
    private readonly copies: L1Copies,
  ) {}

  /** Reads `key` from L2 and back-fills L1. */
  async one(key: string): Promise<unknown> {
    const { copies } = this;
    const ticket = copies.reads.begin(key);
    try {
      // Both commands leave in one round trip on a pipelining client such as ioredis.
      const [value, ttl] = await Promise.all([this.l2.get(key), this.ttl(key)]);
      if (value !== undefined) await copies.fill(key, value, ttl, ticket);
      return value;
    } finally {
      copies.reads.end(key);
    }
  }

  /**
   * Completes `out` (L1's answers for `keys`, `undefined` where L1 had none) from L2, and
   * back-fills L1 with what L2 had (never with an unreadable entry).
   */
  async many(keys: readonly string[], out: unknown[]): Promise<unknown[]> {
    const { copies } = this;
    const missing = keys.filter((_, i) => out[i] === undefined);
    if (missing.length === 0) return out;
    const tickets = missing.map((k) => copies.reads.begin(k));
    try {
      const [values, ttls] = await Promise.all([
        readMany(this.l2, missing),
        Promise.all(missing.map((k) => this.ttl(k))),
      ]);
      let j = 0;
      for (let i = 0; i < keys.length; i++) {
        if (out[i] !== undefined) continue;
        out[i] = values[j];
        if (values[j] !== undefined && !(values[j] instanceof UnreadableEntry)) {
          await copies.fill(missing[j], values[j], ttls[j], tickets[j]);
        }
        j++;
      }
      return out;
    } finally {
      missing.forEach((k) => copies.reads.end(k));
    }
  }

  /** L2's remaining life of `key` (the copy's life where L2 cannot tell; `undefined` on failure). */
  private ttl(key: string): Promise<number | undefined> {
    if (!this.l2.ttl) return Promise.resolve(this.copies.defaultLifeMs);
    return this.l2.ttl(key).catch(() => undefined);
  }
}
