// The example store of docs/custom-stores.md ("Example: a text store on a `Map`"), copied exactly,
// run through the published conformance suite as the doc tells store authors to do. The last test
// fails if the doc's class and this copy drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CacheArgumentError,
  computeExpiryMs,
  defaultSerializer,
  remainingTtlMs,
  type CacheStore,
  type Clock,
  type StoreContext,
  type StoreEntry,
} from 'nestjs-cachekit';
import { describeStoreConformance } from 'nestjs-cachekit/testing';

// --- copied from docs/custom-stores.md -------------------------------------------------------

export class MapTextStore implements CacheStore {
  private readonly data = new Map<string, { text: string; expiresAt: number }>();
  private readonly clock: Clock;
  private readonly namespace: string;

  constructor(ctx: StoreContext) {
    this.clock = ctx.clock;
    this.namespace = ctx.namespace;
  }

  async get(key: string): Promise<unknown | undefined> {
    const entry = this.live(key);
    return entry === undefined ? undefined : defaultSerializer.deserialize(entry.text, key);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const text = defaultSerializer.serialize(value, key); // throws before anything is written
    this.data.set(key, { text, expiresAt: computeExpiryMs(ttlMs, this.clock.now()) });
  }

  async delete(key: string): Promise<boolean> {
    return this.live(key) !== undefined && this.data.delete(key);
  }

  async clear(): Promise<void> {
    for (const key of this.data.keys()) if (key.startsWith(`${this.namespace}:`)) this.data.delete(key);
  }

  // add, increment and setMany read and write the Map with no `await` in between, so concurrent
  // calls cannot interleave. On a real backend, use its atomic commands (SET NX, INCRBY, MULTI).
  async add(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    if (this.live(key) !== undefined) return false;
    const text = defaultSerializer.serialize(value, key);
    this.data.set(key, { text, expiresAt: computeExpiryMs(ttlMs, this.clock.now()) });
    return true;
  }

  async increment(key: string, by: number, ttlMs?: number): Promise<number> {
    const entry = this.live(key);
    const current = entry === undefined ? 0 : defaultSerializer.deserialize(entry.text, key);
    if (typeof current !== 'number') {
      throw new CacheArgumentError(`Cannot increment key ${JSON.stringify(key)}: it does not hold a number`);
    }
    const next = current + by;
    // The TTL applies only when the key is created; an existing counter keeps its expiry.
    const expiresAt = entry?.expiresAt ?? computeExpiryMs(ttlMs, this.clock.now());
    this.data.set(key, { text: defaultSerializer.serialize(next, key), expiresAt });
    return next;
  }

  async setMany(entries: readonly StoreEntry[]): Promise<void> {
    // Serialise every value first, so one value that cannot be stored means nothing is written.
    const texts = entries.map((e) => defaultSerializer.serialize(e.value, e.key));
    const now = this.clock.now();
    entries.forEach((e, i) => this.data.set(e.key, { text: texts[i], expiresAt: computeExpiryMs(e.ttlMs, now) }));
  }

  async ttl(key: string): Promise<number | undefined> {
    const entry = this.live(key);
    if (entry === undefined) return undefined;
    return remainingTtlMs(entry.expiresAt, this.clock.now());
  }

  /** The entry if it exists and has not expired; an expired one is dropped on the way. */
  private live(key: string): { text: string; expiresAt: number } | undefined {
    const entry = this.data.get(key);
    if (entry !== undefined && entry.expiresAt <= this.clock.now()) {
      this.data.delete(key);
      return undefined;
    }
    return entry;
  }
}

// --- end of the copy ---------------------------------------------------------------------------

describeStoreConformance('MapTextStore (docs/custom-stores.md)', (ctx) => new MapTextStore(ctx));

describe('docs/custom-stores.md example', () => {
  it('is the class tested above, character for character', () => {
    // Jest runs from the repository root (rootDir), where docs/ lives.
    const doc = readFileSync(join(process.cwd(), 'docs', 'custom-stores.md'), 'utf8');
    const self = readFileSync(join(process.cwd(), 'test', 'examples', 'custom-store.spec.ts'), 'utf8');
    const copy = /^export class MapTextStore[\s\S]*?^}$/m.exec(self)?.[0];
    expect(copy).toBeDefined();
    expect(doc).toContain(copy);
  });
});
