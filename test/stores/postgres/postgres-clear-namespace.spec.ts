// One PostgresStore instance shared by caches of different namespaces: its rows all carry the
// namespace it was built with (foreign keys marked), and clear() of one cache removes its own only.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createCacheManager, PostgresStore } from '../../../src';
import { dropSchema, PG_URL, schemaName } from '../../support/postgres';
import { quiet } from '../../support/with-manager';

let schema: string;
beforeEach(() => {
  schema = schemaName('clearns');
});
afterEach(async () => {
  await dropSchema(schema);
});

describe('postgres store: clear() on one instance shared by several namespaces', () => {
  it('each cache clears its own rows; the namespace it was built with and the foreign ones alike', async () => {
    const shared = new PostgresStore({ url: PG_URL, schema }, { namespace: 'built', name: 'pg' });
    const own = createCacheManager({ prefix: 'built', logger: quiet, stores: { p: { driver: shared } } });
    const a = createCacheManager({ prefix: 'app-a', logger: quiet, stores: { p: { driver: shared } } });
    const b = createCacheManager({ prefix: 'app-b', logger: quiet, stores: { p: { driver: shared } } });
    await own.ready();
    try {
      for (const [m, v] of [
        [own, 'own'],
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        await m.set('k', v);
        await m.tags('t').set('tagged', v);
      }
      await a.clear();
      expect(await a.get('k')).toBeUndefined();
      expect(await a.tags('t').get('tagged')).toBeUndefined();
      expect(await b.get('k')).toBe('b');
      expect(await own.get('k')).toBe('own');
      await own.clear();
      expect(await own.get('k')).toBeUndefined();
      expect(await b.get('k')).toBe('b');
      expect(await b.tags('t').get('tagged')).toBe('b');
      await b.clear();
      expect(await b.get('k')).toBeUndefined();
    } finally {
      await b.close();
      await a.close();
      await own.close();
    }
  });
});
