// One RedisStore instance shared by caches of different namespaces: clear() of one removes its
// own keys only (the store scans the namespace it is asked for, not the one it was built with).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { CacheUnsupportedError, createCacheManager, RedisStore } from '../../../src';
import { RedisServer } from '../../support/redis-server';
import { quiet } from '../../support/with-manager';

let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server.stop();
});

describe('redis store: clear() on one instance shared by two namespaces', () => {
  it('clearing one manager keeps the other manager\u2019s keys', async () => {
    const id = randomBytes(4).toString('hex');
    const shared = new RedisStore({ url: server.url }, { namespace: `built-${id}` });
    const a = createCacheManager({ prefix: `a-${id}`, logger: quiet, stores: { r: { driver: shared } } });
    const b = createCacheManager({ prefix: `b-${id}`, logger: quiet, stores: { r: { driver: shared } } });
    try {
      await a.set('k', 'a');
      await b.set('k', 'b');
      await a.clear();
      expect(await a.get('k')).toBeUndefined();
      expect(await b.get('k')).toBe('b');
      await b.clear();
      expect(await b.get('k')).toBeUndefined();
    } finally {
      await b.close();
      await a.close();
      await shared.close();
    }
  });

  it('refuses to clear an empty namespace (it would be every key of the server)', async () => {
    const id = randomBytes(4).toString('hex');
    const shared = new RedisStore({ url: server.url }, { namespace: `built-${id}`, name: 'r' });
    const m = createCacheManager({ prefix: '', logger: quiet, stores: { r: { driver: shared } } });
    try {
      await m.set('k', 1);
      await expect(m.clear()).rejects.toThrow(CacheUnsupportedError);
      await expect(m.clear()).rejects.toThrow(/Cache store "r".*non-empty prefix/);
      expect(await m.get('k')).toBe(1);
      await m.delete('k');
    } finally {
      await m.close();
      await shared.close();
    }
  });
});
