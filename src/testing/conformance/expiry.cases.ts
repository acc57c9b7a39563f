import assert from 'node:assert/strict';
import type { ConformanceCase } from './conformance-context';

/** Expiry, `ttl` (in seconds, as users read it) and `touch`. */
export const expiryCases: ConformanceCase = (fw, ctx) => {
  fw.it('expires entries after their TTL', async () => {
    await ctx.cache.set('short', 'v', 0.3);
    await ctx.cache.set('long', 'v', 60);
    await ctx.cache.forever('always', 'v');
    assert.equal(await ctx.cache.get('short'), 'v');
    await ctx.advance(450);
    assert.equal(await ctx.cache.get('short'), undefined);
    assert.equal(await ctx.cache.has('short'), false);
    assert.equal(await ctx.cache.get('long'), 'v');
    assert.equal(await ctx.cache.get('always'), 'v');
  });

  fw.it('reports ttl: seconds left, Infinity, undefined', async () => {
    await ctx.cache.set('t', 1, '10s');
    const left = await ctx.cache.ttl('t');
    assert.ok(left !== undefined && left > 8 && left <= 10, `got ${left}`);
    await ctx.cache.forever('f', 1);
    assert.equal(await ctx.cache.ttl('f'), Infinity);
    assert.equal(await ctx.cache.ttl('missing'), undefined);
    await ctx.cache.set('frac', 1, 1.5);
    const frac = await ctx.cache.ttl('frac');
    assert.ok(frac !== undefined && frac > 1 && frac <= 1.5, `fractional seconds kept, got ${frac}`);
  });

  fw.it('touch resets the expiry and reports whether the key existed', async () => {
    await ctx.cache.set('tt', 'v', 0.3);
    assert.equal(await ctx.cache.touch('tt', 60), true);
    await ctx.advance(450);
    assert.equal(await ctx.cache.get('tt'), 'v');
    assert.equal(await ctx.cache.touch('missing', 60), false);
  });
};
