/**
 * Tagged reads on Postgres: a read through a tagged view is one statement for the entry and the
 * view's tag versions (counted on a pool we hand the store); what a third party does to a
 * version row reads as a flush.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createCacheManager, defaultSerializer, type CacheManager, type PgQueryable } from '../../../src';
import { encodeKey } from '../../../src/stores/postgres/postgres.sql';
import { adminQuery, dropSchema, PG_URL, schemaName } from '../../support/postgres';

const quiet = { warn: () => undefined, error: () => undefined };
let schema: string;
const managers: CacheManager[] = [];
const pools: pg.Pool[] = [];
beforeEach(() => {
  schema = schemaName('tagread');
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await Promise.all(pools.splice(0).map((p) => p.end()));
  await dropSchema(schema);
});

/** A pool that records the statements sent through it (one per round trip). */
function countingPool(): { pool: PgQueryable; texts: string[] } {
  const inner = new pg.Pool({ connectionString: PG_URL, max: 4 });
  pools.push(inner);
  const texts: string[] = [];
  const pool = {
    query: (config: { text: string }) => {
      texts.push(config.text);
      return inner.query(config as pg.QueryConfig);
    },
  };
  return { pool, texts };
}

async function manager(pool?: PgQueryable): Promise<CacheManager> {
  const store = pool
    ? { driver: 'postgres' as const, pool, schema }
    : { driver: 'postgres' as const, url: PG_URL, schema };
  const m = createCacheManager({ prefix: 'ptr', logger: quiet, stores: { pg: store } });
  managers.push(m);
  await m.ready();
  return m;
}

/** Rewrites a tag's version row as another client with access to the table would. */
async function setVersionRow(tag: string, text: string | undefined): Promise<void> {
  const key = encodeKey(`\u0000t:${tag}`);
  if (text === undefined) {
    await adminQuery(`DELETE FROM "${schema}".cachekit_entries WHERE namespace = 'ptr' AND key = $1`, [key]);
  } else {
    const r = await adminQuery(
      `UPDATE "${schema}".cachekit_entries SET value = $2 WHERE namespace = 'ptr' AND key = $1`,
      [key, text],
    );
    expect(r.rowCount).toBe(1);
  }
}

describe('postgres tagged reads', () => {
  it('get and remember hits through a tagged view are one statement each', async () => {
    const { pool, texts } = countingPool();
    const m = await manager(pool);
    const view = m.tags(['users', 'active']);
    await view.set('user:1', { id: 1 });
    texts.length = 0;
    expect(await view.get('user:1')).toEqual({ id: 1 });
    expect(texts).toHaveLength(1);
    expect(await view.remember('user:1', 60, () => 'loaded')).toEqual({ id: 1 });
    expect(texts).toHaveLength(2);
    expect(await view.get('missing')).toBeUndefined();
    expect(texts).toHaveLength(3);
  });

  it('a version deleted or overwritten by a third party reads as a miss, not an error', async () => {
    const m = await manager();
    const view = m.tags(['users', 'active']);
    await view.set('a', 1);
    await setVersionRow('active', undefined);
    expect(await view.get('a')).toBeUndefined();
    expect(await view.remember('a', 60, () => 'loaded')).toBe('loaded');
    await setVersionRow('users', defaultSerializer.serialize(5, 'v'));
    expect(await view.get('a')).toBeUndefined();
    await view.set('b', 2);
    await setVersionRow('users', 'J{not json');
    expect(await view.get('b')).toBeUndefined();
    expect(m.store('pg').stats().errors).toBe(0);
  });

  it('a flush by another cache instance is seen by the next tagged read', async () => {
    const [a, b] = [await manager(), await manager()];
    await a.tags(['users', 'active']).set('user:1', 'cached');
    expect(await b.tags(['users']).get('user:1')).toBe('cached');
    await b.tags(['active']).flush();
    expect(await a.tags(['users', 'active']).get('user:1')).toBeUndefined();
  });
});
