import { describe, expect, it } from '@jest/globals';
import { MemoryStore } from '../../../src';
import { L1Copies } from '../../../src/stores/tiered/l1-copies';

const noFailure = (err: unknown): void => {
  throw err;
};

describe('two-tier store: the copies it keeps in L1 (l1-copies)', () => {
  it('a copy lives as long as L2 keeps the entry, never longer than the longest copy life', async () => {
    const l1 = new MemoryStore();
    const copies = new L1Copies(l1, 60_000, true, noFailure);
    await copies.fill('long', 'v', 3_600_000, copies.reads.begin('long'));
    await copies.fill('short', 'v', 5_000, copies.reads.begin('short'));
    await copies.fill('forever', 'v', Infinity, copies.reads.begin('forever'));
    await copies.fill('unknown', 'v', undefined, copies.reads.begin('unknown'));
    expect(await l1.ttl('long')).toBeLessThanOrEqual(60_000);
    expect(await l1.ttl('long')).toBeGreaterThan(50_000);
    expect(await l1.ttl('short')).toBeLessThanOrEqual(5_000);
    expect(await l1.ttl('forever')).toBeLessThanOrEqual(60_000);
    expect(await l1.get('unknown')).toBeUndefined(); // L2's life unknown: not copied at all

    const unbounded = new L1Copies(new MemoryStore(), undefined, true, noFailure);
    await unbounded.fill('forever', 'v', Infinity, unbounded.reads.begin('forever'));
    expect(await unbounded.store.ttl!('forever')).toBe(Infinity);
  });

  it('a read whose key changed (drop), or that began before the bus went down or came back, copies nothing', async () => {
    const copies = new L1Copies(new MemoryStore(), undefined, true, noFailure);
    const spoiled = copies.reads.begin('k');
    await copies.drop('k');
    await copies.fill('k', 'old', Infinity, spoiled);
    expect(await copies.store.get('k')).toBeUndefined();
    copies.reads.end('k');

    const beforeDown = copies.reads.begin('j');
    copies.distrust();
    await copies.fill('j', 'v', Infinity, beforeDown);
    await copies.fill('j', 'v', Infinity, copies.reads.begin('j')); // not trusted: nothing copied
    expect(await copies.store.get('j')).toBeUndefined();
    copies.reads.end('j');
    copies.trustAgain();
    await copies.fill('j', 'v', Infinity, beforeDown); // an epoch ago
    expect(await copies.store.get('j')).toBeUndefined();
    copies.reads.end('j');
    await copies.fill('j', 'v', Infinity, copies.reads.begin('j'));
    expect(await copies.store.get('j')).toBe('v');
  });

  it('trusting again after a lost subscription empties L1 and wakes every waiter; a failed clear is reported', async () => {
    const l1 = new MemoryStore();
    const copies = new L1Copies(l1, undefined, true, noFailure);
    await l1.set('a', 1);
    let woken = false;
    const waiting = copies.waiters.wait('a', 60_000).then(() => (woken = true));
    copies.distrust();
    copies.trustAgain();
    await waiting;
    expect(woken).toBe(true);
    expect(await l1.get('a')).toBeUndefined();

    const failures: unknown[] = [];
    const broken = new MemoryStore();
    broken.clear = () => Promise.reject(new Error('L1 broke'));
    const reported = new L1Copies(broken, undefined, true, (err) => failures.push(err));
    reported.dropAll();
    for (let i = 0; i < 100 && failures.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(failures).toEqual([new Error('L1 broke')]);
  });
});
