import assert from 'node:assert/strict';
import type { ConformanceCase } from './conformance-context';

/** `remember`: single-flight in one cache, errors to every waiter, and the cross-cache lock. */
export const rememberCases: ConformanceCase = (fw, ctx) => {
  fw.it('remember runs the loader once for concurrent callers and caches the result', async () => {
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return { v: calls };
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => ctx.cache.remember('rem', 60, loader)));
    assert.equal(calls, 1);
    assert.ok(results.every((r) => r.v === 1));
    assert.deepEqual(await ctx.cache.remember('rem', 60, loader), { v: 1 });
    assert.equal(calls, 1);
  });

  fw.it('remember stores nothing when the loader throws, and every waiter sees the error', async () => {
    const boom = async () => {
      await new Promise((r) => setTimeout(r, 10));
      throw new Error('loader failed');
    };
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => ctx.cache.remember('bad', 60, boom)));
    assert.ok(settled.every((s) => s.status === 'rejected' && /loader failed/.test(String(s.reason))));
    assert.equal(await ctx.cache.has('bad'), false);
  });

  fw.it('remember with lock runs the loader once across two caches over one store', async () => {
    // Two caches with their own single-flight, as two processes have: only the store's lock
    // can keep the second from running the loader too.
    const other = await ctx.twin();
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 50));
      return 'locked';
    };
    const results = await Promise.all([
      ctx.cache.remember('lk', 60, loader, { lock: true }),
      other.remember('lk', 60, loader, { lock: true }),
    ]);
    assert.deepEqual(results, ['locked', 'locked']);
    assert.equal(calls, 1, `the loader ran ${calls} times for two caches sharing the store's lock`);
  });
};
