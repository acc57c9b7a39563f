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
    assert.ok(left !== undefined && left > 8 && left <= 10, `ttl() after set(k, v, '10s'), in seconds: got ${left}`);
    await ctx.cache.forever('f', 1);
    assert.equal(await ctx.cache.ttl('f'), Infinity);
    assert.equal(await ctx.cache.ttl('missing'), undefined);
    await ctx.cache.set('frac', 1, 1.5);
    const frac = await ctx.cache.ttl('frac');
    assert.ok(
      frac !== undefined && frac > 1 && frac <= 1.5,
      `ttl() after set(k, v, 1.5), fractional seconds kept: got ${frac}`,
    );
  });

  fw.it('ttl() never reports more seconds than were set or touched', async () => {
    for (let i = 0; i < 20; i++) {
      await ctx.cache.set('cap', i, 300);
      const afterSet = await ctx.cache.ttl('cap');
      assert.ok(
        afterSet !== undefined && afterSet <= 300 && afterSet > 290,
        `ttl() after set(k, v, 300), in seconds: got ${afterSet}`,
      );
      await ctx.cache.touch('cap', 100);
      const afterTouch = await ctx.cache.ttl('cap');
      assert.ok(
        afterTouch !== undefined && afterTouch <= 100 && afterTouch > 90,
        `ttl() after touch(k, 100), in seconds: got ${afterTouch}`,
      );
    }
  });

  fw.it('touch resets the expiry and reports whether the key existed', async () => {
    await ctx.cache.set('tt', 'v', 0.3);
    assert.equal(await ctx.cache.touch('tt', 60), true);
    await ctx.advance(450);
    assert.equal(await ctx.cache.get('tt'), 'v');
    assert.equal(await ctx.cache.touch('missing', 60), false);
  });
};
