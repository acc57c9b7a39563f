import { afterAll, beforeAll } from '@jest/globals';
import { RedisStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing/store-conformance';
import { RedisServer } from '../../support/redis-server';

let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server.stop();
});

describeStoreConformance('redis store (single node)', (ctx) => new RedisStore({ url: server.url }, ctx), {
  realTime: true,
  sharedBackend: true,
});
