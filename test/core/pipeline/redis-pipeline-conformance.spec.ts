import { afterAll, beforeAll } from '@jest/globals';
import { RedisStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing/store-conformance';
import { RedisServer } from '../../support/redis-server';
import { VARIANTS } from './pipeline-fixtures';

let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server.stop();
});

for (const [name, pipeline] of Object.entries(VARIANTS)) {
  describeStoreConformance(`redis store with ${name}`, (ctx) => new RedisStore({ url: server.url, ...pipeline }, ctx), {
    realTime: true,
    sharedBackend: true,
  });
}
