/**
 * `timeout` given as a duration string takes effect against a real redis-server that stops
 * answering (SIGSTOP): the store's per-operation deadline, and the two-tier store's
 * `bus.timeout` on its own server. Servers on free ports, resumed and stopped by PID.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CacheTimeoutError, createCacheManager, type CacheManager } from '../../../src';
import { RedisServer } from '../../support/redis-server';

let servers: RedisServer[];
let manager: CacheManager | undefined;
const logged: string[] = [];
const logger = { warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };

beforeEach(() => {
  servers = [];
  logged.length = 0;
});
afterEach(async () => {
  for (const s of servers) s.pause(false);
  await manager?.close();
  manager = undefined;
  for (const s of servers) await s.stop();
});

async function start(): Promise<RedisServer> {
  const server = await RedisServer.start();
  servers.push(server);
  return server;
}

describe("redis store timeout: '50ms'", () => {
  it('a frozen server: reads fail open, a counter fails naming 50 ms, health is down naming the store', async () => {
    const server = await start();
    manager = createCacheManager({ logger, stores: { r: { driver: 'redis', url: server.url, timeout: '50ms' } } });
    await manager.ready();
    const cache = manager.store('r');
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');

    server.pause(true);
    expect(await cache.get('k', 'fallback')).toBe('fallback');
    const err = await cache.increment('n').catch((e: unknown) => e);
    const timeout = err instanceof CacheTimeoutError ? err : (err as Error).cause;
    expect(timeout).toBeInstanceOf(CacheTimeoutError);
    expect((timeout as CacheTimeoutError).timeoutMs).toBe(50);
    expect((timeout as Error).message).toBe('Cache store "r" did not answer increment within 50 ms');
    const health = await manager.health();
    expect(health.r.status).toBe('down');
    expect(health.r.error).toMatch(/50 ms/);

    server.pause(false);
    for (let i = 0; i < 100 && (await cache.get('k')) !== 'v'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await cache.get('k')).toBe('v');
  });
});

describe("tiered store bus: { url, timeout: '50ms' }", () => {
  it('a frozen bus server: the write still lands, the failed publish is logged naming the bus and 50 ms', async () => {
    const l2 = await start();
    const busServer = await start();
    manager = createCacheManager({
      logger,
      stores: {
        mem: { driver: 'memory', pruneInterval: 0 },
        redis: { driver: 'redis', url: l2.url },
        near: {
          driver: 'tiered',
          tiers: ['mem', 'redis'],
          bus: { url: busServer.url, timeout: '50ms' },
          // Start-up waits until the bus is subscribed, so the freeze hits a live bus.
          requireOnStartup: true,
        },
      },
    });
    await manager.ready();
    const near = manager.store('near');

    busServer.pause(true);
    expect(await near.set('k', 1)).toBe(true);
    const publishFailed = () => logged.find((m) => m.includes('could not publish an invalidation'));
    for (let i = 0; i < 100 && !publishFailed(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(publishFailed()).toBe(
      `Cache store "near": could not publish an invalidation (no answer from Redis at ${busServer.url} within 50 ms); other instances keep their L1 copies until they expire`,
    );
    expect(await manager.store('redis').get('k')).toBe(1);
  });
});
