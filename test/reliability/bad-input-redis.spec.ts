/** The bad-input table against a real Redis and the two-tier store. */
import { jest } from '@jest/globals';
import { createCacheManager, type StoreConfig } from '../../src';
import { RedisServer } from '../support/redis-server';
import { describeBadInput } from './bad-input.table';

jest.setTimeout(60_000);

const silent = { warn: () => undefined, error: () => undefined };
let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server?.stop();
});

let run = 0;
describeBadInput('redis', async (extra) => {
  const manager = createCacheManager({
    prefix: `bad${run++}`,
    logger: silent,
    stores: { s: { driver: 'redis', url: server.url, ...extra } as StoreConfig },
  });
  await manager.ready();
  return { manager, cache: manager.store('s'), dispose: () => manager.close() };
});

describeBadInput('tiered (memory + redis)', async (extra) => {
  const manager = createCacheManager({
    prefix: `badt${run++}`,
    logger: silent,
    stores: {
      mem: { driver: 'memory' },
      redis: { driver: 'redis', url: server.url },
      s: { driver: 'tiered', tiers: ['mem', 'redis'], ...extra } as StoreConfig,
    },
  });
  await manager.ready();
  return { manager, cache: manager.store('s'), dispose: () => manager.close() };
});
