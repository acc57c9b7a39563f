import { afterAll, beforeAll } from '@jest/globals';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import { KeyvStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing/store-conformance';
import { RedisServer } from '../../support/redis-server';

let server: RedisServer;
const opened: KeyvRedis<unknown>[] = [];
/** Every client made, so none outlives the server (a client left open reconnects forever). */
const redisAdapter = (): KeyvRedis<unknown> => {
  const adapter = new KeyvRedis(server.url);
  opened.push(adapter);
  return adapter;
};
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await Promise.all(opened.splice(0).map((adapter) => adapter.disconnect(true).catch(() => undefined)));
  await server.stop();
});

describeStoreConformance('keyv store over a Map', (ctx) => new KeyvStore({ store: new Map() }, ctx));

describeStoreConformance(
  'keyv store over a Keyv instance (in memory)',
  (ctx) => new KeyvStore({ store: new Keyv() }, ctx),
);

describeStoreConformance(
  'keyv store over @keyv/redis',
  // Generous timeouts on Redis: CI's loaded cores can take over the default second.
  (ctx) => new KeyvStore({ store: redisAdapter(), disconnect: true, timeout: 10_000 }, ctx),
  { realTime: true, sharedBackend: true },
);

describeStoreConformance(
  'keyv store over a Keyv instance on @keyv/redis with a namespace',
  (ctx) => new KeyvStore({ store: new Keyv({ store: redisAdapter(), namespace: 'kv' }), timeout: 10_000 }, ctx),
  { realTime: true, sharedBackend: true },
);
