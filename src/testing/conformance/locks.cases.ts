import assert from 'node:assert/strict';
import type { ConformanceCase } from './conformance-context';

/** Why a store fails the lock cases, said once in every message that means "this store cannot lock". */
const CANNOT_LOCK =
  'this store cannot lock: implement acquireLock/renewLock/releaseLock (or an atomic add) on the backend; see docs/custom-stores.md';

/**
 * `cache.lock` over the store, seen from two independent caches on the same store instance (as
 * two processes would): one holder at a time (also under concurrent attempts), releases that
 * check the owner, `restoreLock`, `forceRelease`, and a lease that frees itself after its TTL.
 * Skipped with `locks: false` for a store that does not offer locks.
 */
export const lockCases: ConformanceCase = (fw, ctx, options) => {
  if (options.locks === false) return;

  fw.it('locks: one holder at a time across two caches over the store', async () => {
    const twin = await ctx.twin();
    const mine = ctx.cache.lock('job', '30s');
    assert.equal(await mine.get(), true, 'a free lock is taken');
    assert.equal(
      await twin.lock('job', '30s').get(),
      false,
      `a held lock was taken again from another cache: ${CANNOT_LOCK}`,
    );
    assert.equal(await mine.release(), true, 'the holder releases');
    assert.equal(await twin.lock('job', '30s').get(), true, 'a released lock is free');
    // Concurrent attempts from both caches: exactly one wins.
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? ctx.cache : twin).lock('race', '30s').get()),
    );
    const holders = attempts.filter(Boolean).length;
    assert.equal(holders, 1, `${holders} of 20 concurrent attempts took one lock: ${CANNOT_LOCK}`);
  });

  fw.it('locks: release checks the owner; restoreLock releases from another cache', async () => {
    const twin = await ctx.twin();
    const held = ctx.cache.lock('owned', '30s');
    assert.equal(await held.get(), true);
    assert.equal(
      await twin.lock('owned', '30s').release(),
      false,
      `another owner's release was not refused: ${CANNOT_LOCK}`,
    );
    assert.equal(
      await twin.restoreLock('owned', 'not-the-owner').release(),
      false,
      'a wrong owner token releases nothing',
    );
    assert.equal(await twin.lock('owned', '30s').get(), false, 'the lock is still held after refused releases');
    assert.equal(await twin.restoreLock('owned', held.owner).release(), true, 'restoreLock(name, owner) releases it');
    assert.equal(await twin.lock('owned', '30s').get(), true, 'free after the restored release');
  });

  fw.it('locks: forceRelease frees a lock whoever holds it', async () => {
    const twin = await ctx.twin();
    assert.equal(await ctx.cache.lock('forced', '30s').get(), true);
    await twin.lock('forced').forceRelease();
    assert.equal(await twin.lock('forced', '30s').get(), true, 'free after forceRelease');
  });

  fw.it('locks: a lease frees itself after its TTL (a crashed holder)', async () => {
    const twin = await ctx.twin();
    assert.equal(await ctx.cache.lock('lease', '300ms').get(), true);
    assert.equal(await twin.lock('lease', '300ms').get(), false, 'held before its TTL');
    let free = false;
    for (let i = 0; i < 200 && !free; i++) {
      await ctx.advance(50);
      free = await twin.lock('lease', '300ms').get();
    }
    assert.equal(free, true, 'a lease of 300 ms was still held after 10 s: the store does not expire lock entries');
  });

  fw.it('locks: get(fn) runs fn as the holder and releases after', async () => {
    const twin = await ctx.twin();
    let seenFromTwin: boolean | undefined;
    const result = await ctx.cache.lock('work', '30s').get(async () => {
      seenFromTwin = await twin.lock('work', '30s').get();
      return 'done';
    });
    assert.equal(result, 'done');
    assert.equal(seenFromTwin, false, `another cache took the lock while fn ran: ${CANNOT_LOCK}`);
    assert.equal(await twin.lock('work', '30s').get(), true, 'released once fn resolved');
  });
};
