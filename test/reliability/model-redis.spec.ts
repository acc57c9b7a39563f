/**
 * Model-based test against a real redis-server (real time: long TTLs, no clock advance).
 */
import { jest } from '@jest/globals';
import type { StoreConfig } from '../../src';
import { RedisServer } from '../support/redis-server';
import { checkServerAgainstModel } from './model/run-model';

jest.setTimeout(Number(process.env.MODEL_TEST_TIMEOUT_MS ?? 180_000));

let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server?.stop();
});

describe('model-based: Redis and two-tier', () => {
  it('every answer agrees with the reference model (real server, real time)', async () => {
    await checkServerAgainstModel({ r: { driver: 'redis', url: server.url } }, 'r', 'model', 100);
  });

  it('two-tier memory + Redis agrees with the model (real server, real time)', async () => {
    const stores: Record<string, StoreConfig> = {
      mem: { driver: 'memory', pruneInterval: 0 },
      redis: { driver: 'redis', url: server.url },
      near: { driver: 'tiered', tiers: ['mem', 'redis'] },
    };
    await checkServerAgainstModel(stores, 'near', 'tiered', 60);
  });
});
