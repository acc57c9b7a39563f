import { describe, expect, it } from '@jest/globals';
import { MemoryStore, TieredStore } from '../../../src';
import { LocalHub } from '../../support/local-bus';

function recorder() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      warn: (m: string) => lines.push(`warn ${m}`),
      error: (m: string) => lines.push(`error ${m}`),
      log: (m: string) => lines.push(`log ${m}`),
    },
  };
}

describe('two-tier store: its side of the invalidation bus (tiered-bus-link)', () => {
  it('a bus that fails to start is logged once naming the store and address; L1 is bypassed until it connects, which is logged', async () => {
    const hub = new LocalHub();
    const bus = hub.bus();
    bus.failStart = new Error('connection refused');
    const { lines, logger } = recorder();
    const l2 = new MemoryStore();
    const store = new TieredStore({ l1: new MemoryStore(), l2, bus }, { name: 'near', logger });
    await store.init();
    expect(lines.filter((l) => l.startsWith('warn'))).toEqual([
      'warn Cache store "near": invalidation bus at local://hub not connected (connection refused); start-up goes on, L1 is bypassed until it connects in the background',
    ]);
    await store.set('k', 'v1');
    await l2.set('k', 'behind-its-back');
    expect(await store.get('k')).toBe('behind-its-back'); // L1 not trusted: L2 answers

    bus.reconnect();
    expect(lines).toContain('log Cache store "near": invalidation bus at local://hub connected; L1 in use');
    expect(await store.get('k')).toBe('behind-its-back'); // back-filled into L1 now
    await l2.set('k', 'changed-again');
    expect(await store.get('k')).toBe('behind-its-back'); // served by L1: it is in use again
    await store.close();
  });

  it('a failed publish never fails the write; it is logged once per thousand failures', async () => {
    const hub = new LocalHub();
    const bus = hub.bus();
    const { lines, logger } = recorder();
    const store = new TieredStore({ l1: new MemoryStore(), l2: new MemoryStore(), bus }, { name: 'near', logger });
    await store.init();
    bus.failPublish = new Error('publish refused');
    for (let i = 0; i < 1001; i++) await store.set(`k${i % 10}`, i);
    const warnings = lines.filter((l) => l.includes('could not publish'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe(
      'warn Cache store "near": could not publish an invalidation (publish refused); other instances keep their L1 copies until they expire',
    );
    expect(await store.get('k0')).toBe(1000);
    await store.close();
  });

  it('a lost subscription bypasses L1, and L1 starts over once the bus is back', async () => {
    const hub = new LocalHub();
    const [busA, busB] = [hub.bus(), hub.bus()];
    const l2 = new MemoryStore();
    const a = new TieredStore({ l1: new MemoryStore(), l2, bus: busA }, { name: 'a' });
    const b = new TieredStore({ l1: new MemoryStore(), l2, bus: busB }, { name: 'b' });
    await Promise.all([a.init(), b.init()]);
    await a.set('k', 1);
    expect(await b.get('k')).toBe(1);
    await a.set('k', 2);
    expect(await b.get('k')).toBe(2); // the bus dropped b's copy

    busB.cut();
    await a.set('k', 3); // b does not hear of it...
    expect(await b.get('k')).toBe(3); // ...but no longer trusts its L1
    busB.reconnect();
    await l2.set('k', 4); // behind both caches' backs: b's L1 was emptied on reconnect
    expect(await b.get('k')).toBe(4);
    await Promise.all([a.close(), b.close()]);
  });
});
