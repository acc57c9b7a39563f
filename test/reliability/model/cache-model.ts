/**
 * A reference model of the Cache API: a plain Map with expiry times and tag versions, small
 * enough to be obviously right. The model-based tests run the same random command sequence
 * against it and a real store and require the same answer to every command.
 */
import fc from 'fast-check';

export type Value = unknown;

export type Command =
  | { op: 'set'; key: string; value: Value; ttl?: number }
  | { op: 'add'; key: string; value: Value; ttl?: number }
  | { op: 'get'; key: string }
  | { op: 'has'; key: string }
  | { op: 'getMany'; keys: string[] }
  | { op: 'delete'; key: string }
  | { op: 'increment'; key: string; by: number; ttl?: number }
  | { op: 'tagSet'; tags: string[]; key: string; value: Value; ttl?: number }
  | { op: 'flush'; tags: string[] }
  | { op: 'advance'; ms: number }
  | { op: 'clear' };

/** What a command answered: a value, or the class name of the error it threw. */
export type Outcome = { ok: unknown } | { error: string };

/** Several possible answers (used only where the contract allows either). */
export type Expected = Outcome | { anyOf: Outcome[] } | { approx: number };

interface ModelEntry {
  value: Value;
  expiresAt: number;
  tags?: Record<string, number>;
}

/** Keys: plain, Unicode, path-like and NUL-led, so key handling is part of every run. */
export const KEYS = ['a', 'b', 'sp ace/../x', 'ключ:🔑', '\u0000nul'];
/** Counters live on their own keys (plain `set` may still write them). */
export const COUNTERS = ['n1', 'n2'];
export const TAGS = ['t1', 't2', 't3'];

export class CacheModel {
  private readonly entries = new Map<string, ModelEntry>();
  private readonly tagVersions = new Map<string, number>();
  /** Keys whose entry is dead (expired or flushed) but may still sit in the store. */
  private readonly ghosts = new Map<string, 'expired' | 'flushed'>();
  private pendingIncrement?: string;
  now: number;

  constructor(start: number) {
    this.now = start;
  }

  private live(key: string): ModelEntry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const flushed = e.tags && Object.entries(e.tags).some(([t, v]) => this.tagVersions.get(t) !== v);
    if (e.expiresAt <= this.now || flushed) {
      this.entries.delete(key);
      this.ghosts.set(key, e.expiresAt <= this.now ? 'expired' : 'flushed');
      return undefined;
    }
    return e;
  }

  private write(key: string, value: Value, ttl: number | undefined, tags?: string[]): void {
    const entry: ModelEntry = { value, expiresAt: ttl === undefined ? Infinity : this.now + ttl * 1000 };
    if (tags) {
      entry.tags = {};
      for (const t of tags) {
        if (!this.tagVersions.has(t)) this.tagVersions.set(t, 0);
        entry.tags[t] = this.tagVersions.get(t)!;
      }
    }
    this.ghosts.delete(key);
    this.entries.set(key, entry);
  }

  /** Applies the real answer of a command the model allowed either way. */
  settle(actual: Outcome): void {
    const inc = this.pendingIncrement;
    this.pendingIncrement = undefined;
    const e = inc === undefined ? undefined : this.entries.get(inc);
    if (e && 'ok' in actual) e.value = actual.ok;
  }

  apply(cmd: Command): Expected {
    switch (cmd.op) {
      case 'set':
        this.write(cmd.key, cmd.value, cmd.ttl);
        return { ok: true };
      case 'tagSet':
        this.write(cmd.key, cmd.value, cmd.ttl, cmd.tags);
        return { ok: true };
      case 'add':
        if (this.live(cmd.key)) return { ok: false };
        this.write(cmd.key, cmd.value, cmd.ttl);
        return { ok: true };
      case 'get':
        return { ok: this.live(cmd.key)?.value };
      case 'has':
        return { ok: this.live(cmd.key) !== undefined };
      case 'getMany':
        return { ok: Object.fromEntries(cmd.keys.map((k) => [k, this.live(k)?.value])) };
      case 'delete': {
        const wasLive = this.live(cmd.key) !== undefined;
        const ghost = this.ghosts.delete(cmd.key);
        this.entries.delete(cmd.key);
        // A dead entry may or may not still be on disk/in Redis: either answer is allowed.
        return wasLive ? { ok: true } : ghost ? { anyOf: [{ ok: true }, { ok: false }] } : { ok: false };
      }
      case 'increment': {
        const e = this.live(cmd.key);
        if (e === undefined) {
          this.write(cmd.key, cmd.by, cmd.ttl);
          return { ok: cmd.by };
        }
        if (typeof e.value !== 'number') return { error: 'CacheArgumentError' };
        if (!Number.isInteger(e.value) && Number.isFinite(e.value)) {
          // Fractional counters: Redis INCRBYFLOAT keeps 17 decimal places (fixed point, documented).
          this.pendingIncrement = cmd.key;
          return { approx: e.value + cmd.by };
        }
        if (!Number.isFinite(e.value) || Object.is(e.value, -0)) {
          // Documented difference: -0, NaN and ±Infinity are stored as tagged text, so Redis
          // refuses to increment them (CacheArgumentError) while memory and file add to them.
          this.pendingIncrement = cmd.key;
          return { anyOf: [{ ok: e.value + cmd.by }, { ok: 0 }, { error: 'CacheArgumentError' }] };
        }
        e.value = e.value + cmd.by;
        return { ok: e.value };
      }
      case 'flush':
        for (const t of cmd.tags) if (this.tagVersions.has(t)) this.tagVersions.set(t, this.tagVersions.get(t)! + 1);
        return { ok: undefined };
      case 'advance':
        this.now += cmd.ms;
        return { ok: undefined };
      case 'clear':
        for (const k of this.entries.keys()) this.ghosts.delete(k);
        this.entries.clear();
        this.ghosts.clear();
        this.tagVersions.clear();
        return { ok: undefined };
    }
  }
}

/** Values of every type the serializer keeps, including `constructor`/`prototype` as plain keys. */
export const valueArb: fc.Arbitrary<Value> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double(),
  fc.string({ maxLength: 8 }),
  fc.constant(null),
  fc.boolean(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.date({ noInvalidDate: true }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('x', 'constructor', 'prototype', '\u0000t', 'v'), fc.string({ maxLength: 4 }), {
    maxKeys: 3,
  }),
  fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a)),
  fc.array(fc.tuple(fc.string({ maxLength: 2 }), fc.integer()), { maxLength: 2 }).map((e) => new Map(e)),
);

export interface CommandOptions {
  /** TTLs (seconds) to pick from; `undefined` means none. */
  ttls: (number | undefined)[];
  /** Clock steps (ms); empty: no `advance` commands (real-time stores). */
  advances: number[];
}

export function commandArb(o: CommandOptions): fc.Arbitrary<Command> {
  const key = fc.constantFrom(...KEYS, ...COUNTERS);
  const ttl = fc.constantFrom(...o.ttls);
  const tags = fc.subarray(TAGS, { minLength: 1 });
  const arbs: fc.Arbitrary<Command>[] = [
    fc.record({ op: fc.constant('set' as const), key, value: valueArb, ttl }),
    fc.record({ op: fc.constant('add' as const), key, value: valueArb, ttl }),
    fc.record({ op: fc.constant('get' as const), key }),
    fc.record({ op: fc.constant('has' as const), key }),
    fc.record({ op: fc.constant('getMany' as const), keys: fc.uniqueArray(key, { minLength: 1, maxLength: 3 }) }),
    fc.record({ op: fc.constant('delete' as const), key }),
    fc.record({
      op: fc.constant('increment' as const),
      key: fc.constantFrom(...COUNTERS),
      by: fc.integer({ min: -5, max: 5 }),
      ttl,
    }),
    fc.record({ op: fc.constant('tagSet' as const), tags, key: fc.constantFrom(...KEYS), value: valueArb, ttl }),
    fc.record({ op: fc.constant('flush' as const), tags }),
    fc.constant({ op: 'clear' as const }),
  ];
  if (o.advances.length)
    arbs.push(fc.record({ op: fc.constant('advance' as const), ms: fc.constantFrom(...o.advances) }));
  return fc.oneof(...arbs.map((arbitrary, i) => ({ arbitrary, weight: i === 9 ? 1 : 4 })));
}
