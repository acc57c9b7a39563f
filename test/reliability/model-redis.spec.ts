/**
 * Model-based test against a real redis-server (real time: long TTLs, no clock advance).
 */
import { jest } from '@jest/globals';
import { createCacheManager } from '../../src';
import { RedisServer } from '../support/redis-server';
import { checkAgainstModel } from './model/run-model';

jest.setTimeout(Number(process.env.MODEL_TEST_TIMEOUT_MS ?? 180_000));

const silent = { warn: () => undefined, error: () => undefined };
let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server?.stop();
});

describe('model-based: Redis and two-tier', () => {
  it('every answer agrees with the reference model (real server, real time)', async () => {
    let run = 0;
    await checkAgainstModel({
      ttls: [undefined, 3600],
      advances: [],
      numRuns: 100,
      target: async () => {
        const manager = createCacheManager({
          prefix: `model${run++}`,
          logger: silent,
          stores: { r: { driver: 'redis', url: server.url } },
        });
        await manager.ready();
        return { cache: manager.store('r'), now: () => Date.now(), dispose: () => manager.close() };
      },
    });
  });

  it('two-tier memory + Redis agrees with the model (real server, real time)', async () => {
    let run = 0;
    await checkAgainstModel({
      ttls: [undefined, 3600],
      advances: [],
      numRuns: 60,
      target: async () => {
        const manager = createCacheManager({
          prefix: `tiered${run++}`,
          logger: silent,
          default: 'near',
          stores: {
            mem: { driver: 'memory', pruneInterval: 0 },
            redis: { driver: 'redis', url: server.url },
            near: { driver: 'tiered', tiers: ['mem', 'redis'] },
          },
        });
        await manager.ready();
        return { cache: manager.store('near'), now: () => Date.now(), dispose: () => manager.close() };
      },
    });
  });
});
