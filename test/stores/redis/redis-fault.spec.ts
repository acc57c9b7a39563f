import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCacheManager, type CacheManager } from '../../../src';
import { RedisServer } from '../../support/redis-server';

/** The store's per-operation timeout in these tests. */
const TIMEOUT = 300;
/** Scheduling slack on a shared 2-core machine: a correctness bound, not a benchmark. */
const MARGIN = 250;

let server: RedisServer;
let manager: CacheManager;
const logged: string[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
  manager = createCacheManager({
    prefix: 'fault',
    logger: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
    stores: { r: { driver: 'redis', url: server.url, timeout: TIMEOUT } },
  });
  await manager.ready();
});
afterAll(async () => {
  await manager.close();
  await server.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('redis store under faults', () => {
  it('survives a server killed and restarted during 10,000 mixed operations', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const cache = manager.store('r');
    const health: string[] = [(await manager.health()).r.status];
    let done = 0;
    let maxRead = 0;
    let recovered = false;
    const keptAfterRestart = new Map<string, number>();
    const read = async <T>(fn: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      const value = await fn();
      maxRead = Math.max(maxRead, performance.now() - start);
      return value;
    };

    const lane = async (id: number): Promise<void> => {
      for (let i = 0; i < 2500; i++) {
        const key = `k${(id * 7 + i) % 50}`;
        switch (i % 5) {
          case 0:
            await read(() => cache.get(key));
            break;
          case 1: {
            const wasRecovered = recovered;
            const unique = `w:${id}:${i}`;
            if ((await cache.set(unique, i)) && wasRecovered) keptAfterRestart.set(unique, i);
            break;
          }
          case 2:
            expect(await read(() => cache.remember(`rem:${key}`, 60, () => `loaded:${key}`))).toBe(`loaded:${key}`);
            break;
          case 3:
            await read(() => cache.getMany([key, `${key}x`, `${key}y`]));
            break;
          default:
            await cache.delete(`${key}x`);
        }
        done++;
        // Pace the lanes so that the run spans the outage (about 3 s in all).
        if (i % 4 === 3) await sleep(1);
      }
    };

    const chaos = async (): Promise<void> => {
      while (done < 2000) await sleep(5);
      await server.kill();
      for (let i = 0; i < 20 && health[health.length - 1] !== 'down'; i++) {
        health.push((await manager.health()).r.status);
        await sleep(20);
      }
      await sleep(300);
      await server.restart();
      // ioredis reconnects on its own, within its retry delay.
      for (let i = 0; i < 100 && health[health.length - 1] !== 'up'; i++) {
        await sleep(50);
        health.push((await manager.health()).r.status);
      }
      recovered = health[health.length - 1] === 'up';
    };

    try {
      await Promise.all([lane(0), lane(1), lane(2), lane(3), chaos()]);
      expect(done).toBe(10_000);
      expect(health[0]).toBe('up');
      expect(health).toContain('down');
      expect(health[health.length - 1]).toBe('up');
      expect(recovered).toBe(true);
      expect(maxRead).toBeLessThan(TIMEOUT + MARGIN);
      expect(keptAfterRestart.size).toBeGreaterThan(100);
      const back = await cache.getMany([...keptAfterRestart.keys()]);
      expect(Object.values(back)).toEqual([...keptAfterRestart.values()]);
      expect(manager.stats().r.errors).toBeGreaterThan(0);
      // Logged once per burst, not once per failed operation.
      expect(logged.length).toBeLessThan(10);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }, 60_000);

  it('reads miss within the timeout when the server stops answering, and recover', async () => {
    const cache = manager.store('r');
    await cache.set('frozen', 'v');
    server.pause(true);
    try {
      let start = performance.now();
      expect(await cache.get('frozen', 'fallback')).toBe('fallback');
      expect(performance.now() - start).toBeLessThan(TIMEOUT + MARGIN);
      // remember: the read times out, the loader runs, then its write times out too.
      start = performance.now();
      expect(await cache.remember('frozen2', 60, () => 'loaded')).toBe('loaded');
      expect(performance.now() - start).toBeLessThan(2 * TIMEOUT + MARGIN);
      expect((await manager.health(TIMEOUT * 2)).r.status).toBe('down');
    } finally {
      server.pause(false);
    }
    expect(await cache.get('frozen')).toBe('v');
  });
});
