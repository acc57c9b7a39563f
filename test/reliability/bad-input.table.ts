/**
 * The bad-input table (docs/reliability.md): one row per hostile input, one test per row, run
 * against each store. Every refused input gets a typed error naming the key or option, and the
 * value stored under the key beforehand is unchanged.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CacheArgumentError,
  CacheSerializationError,
  type Cache,
  type CacheManager,
  type StoreConfig,
} from '../../src';

/** A value that is refused with `error`, whose message names the key. */
interface ValueRow {
  name: string;
  value: () => unknown;
  error: typeof CacheArgumentError | typeof CacheSerializationError;
  /** Whether a loader returning it is refused too. @default true */
  remember?: boolean;
}

const cyclic = (): unknown => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};

export const VALUE_ROWS: ValueRow[] = [
  { name: 'undefined', value: () => undefined, error: CacheArgumentError, remember: false },
  { name: 'a function', value: () => () => 1, error: CacheSerializationError },
  { name: 'a symbol', value: () => Symbol('s'), error: CacheSerializationError },
  { name: 'a cycle', value: cyclic, error: CacheSerializationError },
  {
    name: 'a function deep inside',
    value: () => ({ a: [{ b: new Map([['f', () => 1]]) }] }),
    error: CacheSerializationError,
  },
  {
    name: 'an own "__proto__" key',
    value: () => JSON.parse('{"a":1,"__proto__":{"polluted":1}}'),
    error: CacheSerializationError,
  },
  { name: 'a Promise', value: () => Promise.resolve(1), error: CacheSerializationError, remember: false },
  { name: 'a WeakMap', value: () => new WeakMap(), error: CacheSerializationError },
];

export const TTL_ROWS: { name: string; ttl: unknown }[] = [
  { name: 'NaN', ttl: NaN },
  { name: 'zero', ttl: 0 },
  { name: 'negative', ttl: -5 },
  { name: 'Infinity', ttl: Infinity },
  { name: 'an unparsable string', ttl: 'ten minutes' },
  { name: 'an unknown unit', ttl: '10y' },
  { name: 'an empty string', ttl: '' },
  { name: 'null', ttl: null },
  { name: 'an object', ttl: {} },
];

/** Keys that must work: each stays distinct from the others and from the cache's own records. */
export const KEY_ROWS: { name: string; key: string }[] = [
  { name: 'a 1 MB key', key: 'k'.repeat(1024 * 1024) },
  { name: 'another 1 MB key differing in its last character', key: 'k'.repeat(1024 * 1024 - 1) + 'j' },
  {
    name: 'a binary key (all 256 code units)',
    key: Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join(''),
  },
  { name: 'a NUL-led key shaped like a tag record', key: '\u0000t:users' },
  { name: 'a NUL-led key shaped like a lock', key: '\u0000l:k' },
  { name: 'a key with NUL inside', key: 'a\u0000b' },
  { name: 'a Unicode key', key: 'ключ 🔑 鍵 ' },
  { name: 'a path-like key', key: '../../etc/passwd' },
  { name: 'a glob-like key', key: '*' },
  { name: 'a key shaped like the prefix', key: 'cachekit:x' },
];

export interface BadInputTarget {
  manager: CacheManager;
  cache: Cache;
  dispose(): Promise<void>;
}

/** Runs every row of the table against the cache that `make` builds. */
export function describeBadInput(
  storeName: string,
  make: (extra?: Partial<StoreConfig> & { maxValueBytes?: number }) => Promise<BadInputTarget>,
): void {
  const keyRows = KEY_ROWS;
  describe(`bad input: ${storeName}`, () => {
    let t: BadInputTarget;
    let cache: Cache;
    beforeEach(async () => {
      t = await make();
      cache = t.cache;
      await cache.set('k', 'before');
    });
    afterEach(() => t.dispose());

    async function expectUnchanged(): Promise<void> {
      expect(await cache.get('k')).toBe('before');
    }

    it.each(['lone\ud800', 'lone\udc01', '\ud800'])(
      'key %j with a lone surrogate (no UTF-8 form) is refused; nothing written',
      async (key) => {
        await expect(cache.set(key, 1)).rejects.toThrow(CacheArgumentError);
        await expect(cache.get(key)).rejects.toThrow(/lone UTF-16 surrogate/);
        await expectUnchanged();
      },
    );

    it.each(VALUE_ROWS)('value: $name is refused with an error naming the key; nothing written', async (row) => {
      for (const write of [
        () => cache.set('k', row.value()),
        () => cache.add('fresh', row.value()),
        () => cache.setMany({ other: 1, k: row.value() }),
        () => cache.tags('t').set('k', row.value()),
        // A loader's undefined is returned uncached, and a returned Promise is awaited: not errors.
        ...(row.remember === false ? [] : [() => cache.remember('k2', 60, () => row.value() as never)]),
      ]) {
        const err = await write().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(row.error);
        expect((err as Error).message).toMatch(/"(k|fresh|k2)"/);
      }
      await expectUnchanged();
      expect(await cache.get('fresh')).toBeUndefined();
      expect(await cache.get('other')).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it.each(TTL_ROWS)('ttl: $name is a CacheArgumentError naming "ttl"; nothing written', async (row) => {
      for (const write of [
        () => cache.set('k', 'after', row.ttl as number),
        () => cache.add('fresh', 'after', row.ttl as number),
        () => cache.increment('n', 1, row.ttl as number),
        () => cache.touch('k', row.ttl as number),
        () => cache.remember('k', row.ttl as number, () => 'after'),
      ]) {
        const err = await write().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(CacheArgumentError);
        expect((err as Error).message).toMatch(/ttl/i);
      }
      await expectUnchanged();
      expect(await cache.get('fresh')).toBeUndefined();
      expect(await cache.get('n')).toBeUndefined();
    });

    it.each(keyRows)('key: $name works and stays apart from every other key', async (row) => {
      await cache.tags('users').set('tagged', 'v');
      expect(await cache.set(row.key, { key: row.name })).toBe(true);
      expect(await cache.get(row.key)).toEqual({ key: row.name });
      for (const other of keyRows) {
        if (other.key !== row.key) expect(await cache.get(other.key)).toBeUndefined();
      }
      // The cache's own records (tag versions, locks) are untouched by user keys.
      expect(await cache.get('tagged')).toBe('v');
      expect(await cache.increment(row.key + '#n')).toBe(1);
      expect(await cache.delete(row.key)).toBe(true);
      expect(await cache.get(row.key)).toBeUndefined();
      await expectUnchanged();
    });

    it.each([
      ['an empty string', ''],
      ['a number', 1],
      ['null', null],
      ['undefined', undefined],
      ['an object', {}],
    ])('key: %s is a CacheArgumentError naming the key', async (_name, key) => {
      for (const op of [
        () => cache.get(key as string),
        () => cache.set(key as string, 1),
        () => cache.delete(key as string),
        () => cache.increment(key as string),
        // tags() validates as it builds the view: it throws at once rather than rejecting.
        async () => cache.tags([key as string]).set('k', 'after'),
      ]) {
        await expect(op()).rejects.toThrow(CacheArgumentError);
        await expect(op()).rejects.toThrow(/cache (key|tag)/i);
      }
      await expectUnchanged();
    });

    it.each([
      ['an object', { key: 'k', value: 'after' }],
      ['null', null],
      ['a string', 'k'],
    ])(
      'setMany entry that is %s, not a [key, value] pair, is a CacheArgumentError naming it; nothing written',
      async (_n, bad) => {
        const entries = [['other', 1], bad] as unknown as [string, unknown][];
        for (const write of [() => cache.setMany(entries), () => cache.tags('t').setMany(entries)]) {
          const err = await write().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(CacheArgumentError);
          expect((err as Error).message).toMatch(/^setMany\(entries\): entry 1 is not a \[key, value\] pair/);
        }
        if (storeName === 'memory') expect(() => cache.sync.setMany(entries)).toThrow(CacheArgumentError);
        expect(await cache.get('other')).toBeUndefined();
        await expectUnchanged();
      },
    );

    it('increment of a string, object or boolean is a CacheArgumentError naming the key; value unchanged', async () => {
      for (const value of ['12', { n: 1 }, true, null]) {
        await cache.set('k', value);
        const err = await cache.increment('k').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CacheArgumentError);
        expect((err as Error).message).toContain('k');
        expect(await cache.get('k')).toEqual(value);
      }
    });

    it.each([NaN, Infinity, -Infinity, '1', null])(
      'increment by %p is a CacheArgumentError; value unchanged',
      async (by) => {
        await cache.set('n', 5);
        await expect(cache.increment('n', by as number)).rejects.toThrow(CacheArgumentError);
        await expect(cache.decrement('n', by as number)).rejects.toThrow(CacheArgumentError);
        expect(await cache.get('n')).toBe(5);
      },
    );

    {
      it('increment past Number.MAX_SAFE_INTEGER is refused; value unchanged', async () => {
        await cache.set('n', Number.MAX_SAFE_INTEGER - 1);
        expect(await cache.increment('n')).toBe(Number.MAX_SAFE_INTEGER);
        await expect(cache.increment('n')).rejects.toThrow(CacheArgumentError);
        await expect(cache.increment('n')).rejects.toThrow(/MAX_SAFE_INTEGER/);
        expect(await cache.get('n')).toBe(Number.MAX_SAFE_INTEGER);
        await cache.set('m', Number.MIN_SAFE_INTEGER + 1);
        await expect(cache.decrement('m', 2)).rejects.toThrow(CacheArgumentError);
        expect(await cache.get('m')).toBe(Number.MIN_SAFE_INTEGER + 1);
      });
    }

    it('constructor and prototype keys are plain data and pollute nothing', async () => {
      const value = { constructor: { prototype: { polluted: 1 } }, prototype: { polluted: 2 }, toString: 'x' };
      await cache.set('p', value);
      const back = (await cache.get('p')) as Record<string, unknown>;
      expect(back).toEqual(value);
      expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('a class instance comes back as plain data: no prototype, no methods revived', async () => {
      class User {
        constructor(readonly name: string) {}
        greet(): string {
          return `hi ${this.name}`;
        }
      }
      await cache.set('u', new User('ann'));
      const back = (await cache.get('u')) as Record<string, unknown>;
      expect(back).toEqual({ name: 'ann' });
      expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
      expect(back.greet).toBeUndefined();
    });

    it('a 1 MB value is stored by default', async () => {
      const big = 'x'.repeat(1024 * 1024);
      expect(await cache.set('big', big)).toBe(true);
      expect(await cache.get('big')).toBe(big);
    });

    it('maxValueBytes refuses a larger value with an error naming the key; nothing written', async () => {
      const limited = await make({ maxValueBytes: 1024 });
      try {
        const c = limited.cache;
        await c.set('k', 'small');
        for (const write of [
          () => c.set('k', 'x'.repeat(2000)),
          () => c.add('fresh', 'x'.repeat(2000)),
          () => c.setMany({ a: 1, k: 'x'.repeat(2000) }),
          () => c.tags('t').set('k', 'x'.repeat(2000)),
          () => c.remember('r', 60, () => 'x'.repeat(2000)),
        ]) {
          const err = await write().catch((e: unknown) => e);
          expect(err).toBeInstanceOf(CacheSerializationError);
          expect((err as Error).message).toMatch(/"(k|fresh|r)" is \d+ bytes, over maxValueBytes \(1024\)/);
        }
        expect(await c.get('k')).toBe('small');
        expect(await c.getMany(['fresh', 'a', 'r'])).toEqual({ fresh: undefined, a: undefined, r: undefined });
        expect(await c.set('k', 'x'.repeat(1000))).toBe(true);
      } finally {
        await limited.dispose();
      }
    });
  });
}
