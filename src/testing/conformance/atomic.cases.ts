import assert from 'node:assert/strict';
import { CacheArgumentError } from '../../core/cache.errors';
import type { ConformanceCase } from './conformance-context';

/** `add` and `increment`: atomic under concurrency, and the TTL of a counter set at creation. */
export const atomicCases: ConformanceCase = (fw, ctx) => {
  fw.it('add stores only when absent, atomically under concurrency', async () => {
    assert.equal(await ctx.cache.add('a', 1), true);
    assert.equal(await ctx.cache.add('a', 2), false);
    assert.equal(await ctx.cache.get('a'), 1);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.cache.add('race', i)));
    assert.equal(results.filter(Boolean).length, 1);
  });

  fw.it('increments and decrements, starting missing keys at 0', async () => {
    assert.equal(await ctx.cache.increment('c'), 1);
    assert.equal(await ctx.cache.increment('c', 5), 6);
    assert.equal(await ctx.cache.decrement('c', 2), 4);
    assert.equal(await ctx.cache.decrement('neg'), -1);
    assert.equal(await ctx.cache.get('c'), 4);
    const all = await Promise.all(Array.from({ length: 50 }, () => ctx.cache.increment('par')));
    assert.equal(Math.max(...all), 50);
    assert.equal(await ctx.cache.get('par'), 50);
    await ctx.cache.set('str', 'abc');
    await assert.rejects(ctx.cache.increment('str'));
    assert.equal(await ctx.cache.get('str'), 'abc');
    await assert.rejects(ctx.cache.increment('c', NaN), CacheArgumentError);
  });

  fw.it('applies the TTL of increment only when the key is created', async () => {
    await ctx.cache.increment('ct', 1, 1);
    await ctx.advance(600);
    await ctx.cache.increment('ct', 1, 100);
    const left = await ctx.cache.ttl('ct');
    assert.ok(left !== undefined && left <= 0.45, `ttl kept from creation, in seconds: got ${left}`);
  });
};
