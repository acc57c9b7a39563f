import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createCacheManager } from '../../../src';
import { heldTimerList, holdTimerList } from '../../../src/stores/redis/redis-client';
import { RedisServer } from '../../support/redis-server';

const quiet = { warn: () => undefined, error: () => undefined };
let server: RedisServer;

beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server.stop();
});

describe('the timer list of the commands deadline', () => {
  it('is held by one unref’d interval per duration, shared, until its last holder releases it', () => {
    expect(heldTimerList(4321)).toBeUndefined();
    const first = holdTimerList(4321);
    const second = holdTimerList(4321);
    const timer = heldTimerList(4321);
    expect(timer).toBeDefined();
    expect(timer?.hasRef()).toBe(false);
    first();
    first(); // releasing twice counts once
    expect(heldTimerList(4321)).toBe(timer);
    second();
    expect(heldTimerList(4321)).toBeUndefined();
  });

  it('holds nothing for a duration Node would turn into 1 ms (an interval would wake every millisecond)', () => {
    for (const ms of [0.5, 2 ** 31]) {
      const release = holdTimerList(ms);
      expect(heldTimerList(ms)).toBeUndefined();
      expect(heldTimerList(1)).toBeUndefined();
      release();
    }
  });

  it("is held by a store from its start to its close, at the store's timeout", async () => {
    const manager = createCacheManager({
      logger: quiet,
      stores: { r: { driver: 'redis', url: server.url, timeout: 1357 } },
    });
    await manager.ready();
    await manager.store('r').set('k', 'v');
    expect(heldTimerList(1357)?.hasRef()).toBe(false);
    await manager.close();
    expect(heldTimerList(1357)).toBeUndefined();
  });

  it("is held for a user's client that the store guards with its own deadline, and left alone otherwise", async () => {
    const guarded = new Redis(server.url); // offline queue on, no commandTimeout: the store guards it
    const failFast = new Redis(server.url, { enableOfflineQueue: false, commandTimeout: 500 });
    const manager = createCacheManager({
      logger: quiet,
      stores: {
        g: { driver: 'redis', client: guarded, timeout: 2468 },
        f: { driver: 'redis', client: failFast, timeout: 9753 },
      },
    });
    try {
      await manager.ready();
      expect(await manager.store('g').set('k', 1)).toBe(true);
      expect(await manager.store('f').set('k', 1)).toBe(true);
      expect(heldTimerList(2468)).toBeDefined();
      expect(heldTimerList(9753)).toBeUndefined();
      await manager.close();
      expect(heldTimerList(2468)).toBeUndefined();
    } finally {
      guarded.disconnect();
      failFast.disconnect();
    }
  });
});
