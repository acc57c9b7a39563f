import assert from 'node:assert/strict';
import { CacheArgumentError, CacheSerializationError } from '../../core/cache.errors';
import type { ConformanceCase } from './conformance-context';

/** Reads, writes, values, keys and batches: what every store must keep exactly. */
export const dataCases: ConformanceCase = (fw, ctx, options) => {
  fw.it('misses with undefined and returns the fallback', async () => {
    assert.equal(await ctx.cache.get('nope'), undefined);
    assert.equal(await ctx.cache.get('nope', 'fb'), 'fb');
    assert.equal(await ctx.cache.get('nope', () => 'lazy'), 'lazy');
    assert.equal(await ctx.cache.has('nope'), false);
  });

  fw.it('round-trips every supported type', async () => {
    const value = {
      s: 'héllo ✓',
      n: 42.5,
      neg: -7,
      big: 12345678901234567890n,
      b: true,
      nil: null,
      d: new Date('2024-01-02T03:04:05.678Z'),
      m: new Map<unknown, unknown>([
        ['a', 1],
        [2, { x: [1, 2] }],
      ]),
      set: new Set([1, 'two', null]),
      buf: Buffer.from([0, 1, 2, 255]),
      u8: new Uint8Array([9, 8, 7]),
      arr: [1, 'a', [null, { deep: true }]],
      nested: { a: { b: { c: 'd' } } },
      special: [NaN, Infinity, -Infinity],
    };
    assert.equal(await ctx.cache.set('types', value), true);
    const back = await ctx.cache.get<typeof value>('types');
    assert.deepEqual(back, value);
    assert.ok(back!.d instanceof Date && back!.m instanceof Map && back!.set instanceof Set);
    assert.ok(Buffer.isBuffer(back!.buf));
    for (const v of ['plain', 0, -1.5, 12, true, false, null, [], {}, 10n]) {
      await ctx.cache.set('scalar', v);
      assert.deepEqual(await ctx.cache.get('scalar'), v);
    }
  });

  fw.it('caches null as a value', async () => {
    await ctx.cache.set('null', null);
    assert.equal(await ctx.cache.get('null', 'fallback'), null);
    assert.equal(await ctx.cache.has('null'), true);
  });

  fw.it('refuses undefined, functions, symbols and cycles, writing nothing', async () => {
    await ctx.cache.set('k', 'before');
    await assert.rejects(ctx.cache.set('k', undefined), CacheArgumentError);
    await assert.rejects(
      ctx.cache.set('k', () => 1),
      CacheSerializationError,
    );
    await assert.rejects(ctx.cache.set('k', { s: Symbol('x') }), CacheSerializationError);
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    await assert.rejects(ctx.cache.set('k', cyc), (err: unknown) => {
      assert.ok(err instanceof CacheSerializationError);
      assert.match(err.message, /"k"/);
      return true;
    });
    assert.equal(await ctx.cache.get('k'), 'before');
  });

  fw.it('rejects empty and non-string keys', async () => {
    await assert.rejects(ctx.cache.get(''), CacheArgumentError);
    await assert.rejects(ctx.cache.set(undefined as unknown as string, 1), CacheArgumentError);
  });

  fw.it('keeps any Unicode, path-like and very long keys apart', async () => {
    const keys = [
      '../../etc/passwd',
      '/abs/path',
      'a b',
      'ключ',
      '😀',
      'nul\u0000byte',
      '\u0000lead',
      'CON',
      'x'.repeat(5000),
      'x'.repeat(5001),
    ];
    for (const [i, k] of keys.entries()) await ctx.cache.set(k, i);
    for (const [i, k] of keys.entries()) assert.equal(await ctx.cache.get(k), i, `key #${i}`);
  });

  if (options.isolates ?? true) {
    fw.it('isolates stored values from mutation', async () => {
      const obj = { list: [1, 2], nested: { v: 1 } };
      await ctx.cache.set('iso', obj);
      obj.list.push(3);
      obj.nested.v = 2;
      const got = await ctx.cache.get<typeof obj>('iso');
      assert.deepEqual(got, { list: [1, 2], nested: { v: 1 } });
      got!.list.push(99);
      assert.deepEqual(await ctx.cache.get('iso'), { list: [1, 2], nested: { v: 1 } });
    });
  }

  fw.it('delete and pull report what they removed', async () => {
    await ctx.cache.set('d', 1);
    assert.equal(await ctx.cache.delete('d'), true);
    assert.equal(await ctx.cache.delete('d'), false);
    await ctx.cache.set('p', { v: 1 });
    assert.deepEqual(await ctx.cache.pull('p'), { v: 1 });
    assert.equal(await ctx.cache.has('p'), false);
    assert.equal(await ctx.cache.pull('p'), undefined);
  });

  fw.it('getMany, setMany and deleteMany', async () => {
    await ctx.cache.setMany({ m1: 1, m2: { two: 2 }, m3: null });
    assert.deepEqual(await ctx.cache.getMany(['m1', 'm2', 'm3', 'm4']), {
      m1: 1,
      m2: { two: 2 },
      m3: null,
      m4: undefined,
    });
    await ctx.cache.setMany(new Map<string, unknown>([['m5', 'five']]), 60);
    assert.equal(await ctx.cache.get('m5'), 'five');
    assert.equal(await ctx.cache.deleteMany(['m1', 'm2', 'missing']), 2);
    assert.deepEqual(await ctx.cache.getMany(['m1', 'm2', 'm3']), { m1: undefined, m2: undefined, m3: null });
    await assert.rejects(ctx.cache.setMany({ ok: 1, bad: () => 1 }), CacheSerializationError);
    assert.equal(await ctx.cache.has('ok'), false);
  });
};
