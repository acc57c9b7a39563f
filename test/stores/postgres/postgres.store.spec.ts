import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, Socket, type Server } from 'node:net';
import pg from 'pg';
import {
  CacheArgumentError,
  CacheConfigError,
  CacheTimeoutError,
  CacheUnavailableError,
  createCacheManager,
  PostgresStore,
  type PgQueryable,
} from '../../../src';
import { startPgWorker } from '../../fixtures/postgres-spawn';
import { adminQuery, appName, dropSchema, PG_URL, schemaName } from '../../support/postgres';
import { withManager } from '../../support/with-manager';

let schema: string;
beforeEach(() => {
  schema = schemaName('store');
});
afterEach(async () => {
  await dropSchema(schema);
});

/** A pool that counts the statements sent through it (one per round trip). */
function countingPool(): { pool: PgQueryable & { end(): Promise<void> }; texts: string[] } {
  const inner = new pg.Pool({ connectionString: PG_URL, max: 4 });
  const texts: string[] = [];
  const pool = {
    query: (config: { text: string }) => {
      texts.push(config.text);
      return inner.query(config as pg.QueryConfig);
    },
    end: () => inner.end(),
  };
  return { pool, texts };
}

const rows = async (ns: string) =>
  (await adminQuery(`SELECT key, value FROM "${schema}".cachekit_entries WHERE namespace = $1 ORDER BY key`, [ns]))
    .rows;

describe('postgres store', () => {
  it('the package imports and works without pg installed; a Postgres store then fails clearly', async () => {
    const run = startPgWorker({}, 'postgres-no-pg.ts');
    const result = (await run.result) as { memory: string; error: string; logged: string[] };
    expect(result.memory).toBe('v');
    expect(result.error).toMatch(/^CacheConfigError: .*"postgres".*needs the "pg" package/);
    expect(JSON.stringify(result)).not.toContain('s3cret');
  }, 30_000);

  it('creates its schema, table and index, idempotently, with several instances starting at once', async () => {
    const stores = Array.from({ length: 6 }, () => new PostgresStore({ url: PG_URL, schema }, { namespace: 'ddl' }));
    await Promise.all(stores.map((s) => s.init()));
    await Promise.all(stores.map((s) => s.close()));
    const cols = await adminQuery(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 ORDER BY ordinal_position`,
      [schema],
    );
    expect(cols.rows.map((r) => r.column_name)).toEqual(['namespace', 'key', 'value', 'expires_at']);
    const idx = await adminQuery(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, [schema]);
    expect(idx.rows.map((r) => r.indexname)).toEqual(['cachekit_entries_expires_idx', 'cachekit_entries_pkey']);
    // Once the table is there, an instance starting (a deploy) runs no DDL: no table lock.
    const { pool, texts } = countingPool();
    const late = new PostgresStore({ pool, schema }, { namespace: 'ddl' });
    await late.init();
    await late.close();
    await pool.end();
    expect(texts.filter((t) => /CREATE|ALTER|LOCK/i.test(t))).toEqual([]);
  });

  it('createTable: false checks the table, naming what is missing, and works with the documented SQL', async () => {
    const strict = { url: PG_URL, schema, createTable: false, table: 'cache' } as const;
    await expect(withManager({ stores: { pg: { driver: 'postgres', ...strict } } }, async () => 0)).rejects.toThrow(
      /stores\.pg: table ck_store_\w+\.cache does not exist/,
    );
    await adminQuery(`CREATE SCHEMA "${schema}"`);
    await adminQuery(`CREATE TABLE "${schema}".cache (namespace text NOT NULL, key text NOT NULL, expires_at int)`);
    const err = await withManager({ stores: { pg: { driver: 'postgres', ...strict } } }, async () => 0).catch(
      (e: unknown) => e as CacheConfigError,
    );
    expect(err).toBeInstanceOf(CacheConfigError);
    expect((err as Error).message).toMatch(/missing column value \(text\)/);
    expect((err as Error).message).toMatch(/column expires_at is integer, expected timestamp with time zone/);
    expect((err as Error).message).toMatch(/no primary key or unique index on \(namespace, key\)/);
    await adminQuery(`DROP TABLE "${schema}".cache`);
    // The SQL of docs/stores-postgres.md.
    await adminQuery(`CREATE TABLE "${schema}".cache (
      namespace  text        NOT NULL,
      key        text        NOT NULL,
      value      text        NOT NULL,
      expires_at timestamptz,
      PRIMARY KEY (namespace, key)
    )`);
    await adminQuery(`CREATE INDEX cache_expires_idx ON "${schema}".cache (expires_at) WHERE expires_at IS NOT NULL`);
    await withManager({ prefix: 'own', stores: { pg: { driver: 'postgres', ...strict } } }, async (m) => {
      await m.default.set('k', { a: 1 });
      expect(await m.default.get('k')).toEqual({ a: 1 });
    });
  });

  it('refuses bad options with a CacheConfigError naming the store and field', () => {
    const make = (o: object) => () => createCacheManager({ stores: { pg: { driver: 'postgres', ...o } as never } });
    expect(make({})).toThrow(/stores\.pg\.url: give exactly one of url, options, pool or client \(got none\)/);
    expect(make({ url: PG_URL, pool: {} })).toThrow(/give exactly one of url, options, pool or client/);
    expect(make({ url: 'mysql://x' })).toThrow(/stores\.pg\.url must be a postgres:\/\//);
    expect(make({ url: PG_URL, table: 'x; drop table y' })).toThrow(/stores\.pg\.table must be a plain SQL identifier/);
    expect(make({ url: PG_URL, schema: '' })).toThrow(/stores\.pg\.schema/);
    expect(make({ url: PG_URL, timeout: 0 })).toThrow(/stores\.pg\.timeout must be a number of ms > 0/);
    expect(make({ url: PG_URL, sweepInterval: 'soon' })).toThrow(/stores\.pg\.sweepInterval/);
    expect(make({ url: PG_URL, timeout: 'soon' })).toThrow(
      `stores.pg.timeout must be a number of ms > 0 or a duration such as '2s', got "soon"`,
    );
    expect(make({ url: PG_URL, sweepInterval: '30d' })).toThrow(
      /^Invalid stores\.pg\.sweepInterval: 30d\. At most 2147483647 ms/,
    );
    expect(make({ url: PG_URL, tabel: 'x' })).toThrow(
      /stores\.pg\.tabel is not a known option; did you mean "table"\?/,
    );
    expect(make({ pool: { end: () => undefined } })).toThrow(/stores\.pg\.pool must be a pg Pool/);
  });

  it('one statement per operation: getMany with = ANY, setMany in one INSERT, deleteMany in one DELETE', async () => {
    const { pool, texts } = countingPool();
    const store = new PostgresStore({ pool, schema }, { namespace: 'rt' });
    try {
      await store.init();
      texts.length = 0;
      const keys = Array.from({ length: 100 }, (_, i) => `rt:k${i}`);
      await store.setMany(keys.map((key, i) => ({ key, value: i, ttlMs: i % 2 ? 60_000 : undefined })));
      expect(await store.getMany(keys)).toEqual(keys.map((_, i) => i));
      expect(await store.deleteMany([...keys, 'rt:missing'])).toBe(100);
      expect(texts.length).toBe(3);
      expect(texts[1]).toMatch(/= ANY\(\$2::text\[\]\)/);
      // A repeated key in one setMany: the last one wins (one statement cannot write a row twice).
      await store.setMany([
        { key: 'rt:d', value: 1 },
        { key: 'rt:d', value: 2 },
      ]);
      expect(await store.get('rt:d')).toBe(2);
    } finally {
      await store.close();
      await pool.end();
    }
  });

  it('never closes a pool or client it was given, and closes the pool it opened', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const name = appName('owned');
    try {
      await withManager(
        {
          stores: {
            a: { driver: 'postgres', pool, schema, prefix: 'a' },
            b: { driver: 'postgres', client, schema, prefix: 'b' },
            c: { driver: 'postgres', url: PG_URL, schema, prefix: 'c', options: { application_name: name } },
          },
        },
        async (m) => {
          for (const s of ['a', 'b', 'c']) await m.store(s).set('k', s);
          expect(await m.store('b').get('k')).toBe('b');
        },
      );
      expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      expect((await client.query('SELECT 2 AS two')).rows[0].two).toBe(2);
      const left = await adminQuery(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [
        name,
      ]);
      expect(left.rows[0].n).toBe(0);
    } finally {
      await client.end();
      await pool.end();
    }
  });

  it('expired rows are invisible at once; add replaces them; the sweep deletes them in bounded batches', async () => {
    const { pool, texts } = countingPool();
    const store = new PostgresStore({ pool, schema, sweepInterval: 0, sweepBatch: 1000 }, { namespace: 'sw' });
    try {
      await store.init();
      await store.set('sw:gone', 'x', 20);
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.get('sw:gone')).toBeUndefined();
      expect(await store.has('sw:gone')).toBe(false);
      expect(await store.ttl('sw:gone')).toBeUndefined();
      expect(await store.touch('sw:gone', 1000)).toBe(false);
      expect(await store.getMany(['sw:gone'])).toEqual([undefined]);
      expect((await rows('sw')).length).toBe(1); // still there, unseen
      expect(await store.add('sw:gone', 'again', 60_000)).toBe(true);
      expect(await store.get('sw:gone')).toBe('again');
      expect(await store.add('sw:gone', 'third')).toBe(false);
      // 2,500 expired rows (of several namespaces) and one live: three batches, the live one stays.
      await adminQuery(
        `INSERT INTO "${schema}".cachekit_entries SELECT 'ns' || (i % 3), 'k' || i, '1', now() - interval '1 s' FROM generate_series(1, 2500) i`,
      );
      texts.length = 0;
      expect(await store.sweep()).toBe(2500);
      expect(texts.filter((t) => /DELETE/.test(t)).length).toBe(3);
      expect(texts.every((t) => /LIMIT \$1 FOR UPDATE SKIP LOCKED/.test(t))).toBe(true);
      expect((await adminQuery(`SELECT count(*)::int AS n FROM "${schema}".cachekit_entries`)).rows[0].n).toBe(1);
    } finally {
      await store.close();
      await pool.end();
    }
  });

  it('the background sweep runs on its own, and stops on close', async () => {
    const store = new PostgresStore({ url: PG_URL, schema, sweepInterval: '200ms' }, { namespace: 'bg' });
    await store.init();
    await store.set('bg:a', 1, 10);
    for (let i = 0; i < 100 && (await rows('bg')).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await rows('bg')).toEqual([]);
    await store.close();
  });

  it("timeout: '300ms' is every statement's deadline: behind a table lock a read misses, a counter fails naming 300 ms", async () => {
    const manager = createCacheManager({
      logger: { warn: () => undefined, error: () => undefined },
      stores: { pg: { driver: 'postgres', url: PG_URL, schema, timeout: '300ms' } },
    });
    const locker = new pg.Client({ connectionString: PG_URL, application_name: appName('lock') });
    try {
      await manager.ready();
      const cache = manager.default;
      await cache.set('k', 'v');
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema}".cachekit_entries IN ACCESS EXCLUSIVE MODE`);
      expect(await cache.get('k', 'fallback')).toBe('fallback');
      const err = await cache.increment('n').catch((e: unknown) => e);
      const timeout = err instanceof CacheTimeoutError ? err : (err as Error).cause;
      expect(timeout).toBeInstanceOf(CacheTimeoutError);
      expect((timeout as Error).message).toBe('Cache store "pg" did not answer increment within 300 ms');
      await locker.query('ROLLBACK');
      expect(await cache.get('k')).toBe('v');
    } finally {
      await locker.end().catch(() => undefined);
      await manager.close();
    }
  });

  it('counters: exact, TTL on creation, refuse text and results beyond 2^53; keys with NUL stay distinct', async () => {
    await withManager({ prefix: 'ctr', stores: { pg: { driver: 'postgres', url: PG_URL, schema } } }, async (m) => {
      const c = m.default;
      expect(await c.increment('n', 5, 60)).toBe(5);
      expect(await c.increment('n', -7)).toBe(-2);
      expect(await c.increment('n', 0.5)).toBe(-1.5);
      expect(await c.get('n')).toBe(-1.5);
      const ttl = (await c.ttl('n'))!;
      expect(ttl).toBeGreaterThan(50);
      expect(ttl).toBeLessThanOrEqual(60);
      await c.set('text', 'abc');
      await expect(c.increment('text')).rejects.toThrow(/Cannot increment key "text": it does not hold a number/);
      await c.set('big', Number.MAX_SAFE_INTEGER);
      await expect(c.increment('big')).rejects.toBeInstanceOf(CacheArgumentError);
      expect(await c.get('big')).toBe(Number.MAX_SAFE_INTEGER);
      await c.set('\u0000a', 1);
      await c.set('\u0001\u0002a', 2);
      await c.set('\u0001a', 3);
      expect(await c.getMany(['\u0000a', '\u0001\u0002a', '\u0001a'])).toEqual({
        '\u0000a': 1,
        '\u0001\u0002a': 2,
        '\u0001a': 3,
      });
    });
  });

  it('an unreachable database does not stop start-up: warning with a redacted address, health down, then it connects', async () => {
    // A TCP port that refuses at first, then forwards to the real server: the same store recovers.
    const proxy = await tcpProxy();
    const url = `postgres://postgres:s3cret@127.0.0.1:${proxy.port}/test`;
    const logged: string[] = [];
    const logger = {
      warn: (m: string) => logged.push(m),
      error: (m: string) => logged.push(m),
      log: (m: string) => logged.push(m),
    };
    const manager = createCacheManager({ logger, stores: { pg: { driver: 'postgres', url, schema, timeout: 500 } } });
    try {
      await manager.ready();
      expect(
        logged.some((l) =>
          /"pg".*PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/test is unreachable/.test(l),
        ),
      ).toBe(true);
      const health = await manager.health();
      expect(health.pg.status).toBe('down');
      expect(await manager.default.get('k')).toBeUndefined(); // fails open
      await expect(manager.default.increment('n')).rejects.toBeInstanceOf(CacheUnavailableError);
      proxy.open();
      let up = false;
      for (let i = 0; i < 150 && !up; i++) {
        await new Promise((r) => setTimeout(r, 100));
        up = (await manager.health()).pg.status === 'up';
      }
      expect(up).toBe(true);
      await manager.default.set('k', 'v');
      expect(await manager.default.get('k')).toBe('v');
      expect(logged.some((l) => /"pg": connected to PostgreSQL/.test(l))).toBe(true);
      expect(JSON.stringify({ logged, health })).not.toContain('s3cret');
    } finally {
      await manager.close();
      await proxy.close();
    }
  });

  it('requireOnStartup: true fails start-up with a CacheUnavailableError naming the store, never the password', async () => {
    const url = 'postgres://postgres:s3cret@127.0.0.1:1/test';
    const err = await withManager(
      { stores: { pg: { driver: 'postgres', url, requireOnStartup: true, connectTimeout: '2s' } } },
      async () => 0,
    ).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /Cache store "pg".*unavailable \(connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test\)/,
    );
    // manager.ready() passes the store's own typed error through as it is.
    expect(err).toBeInstanceOf(CacheUnavailableError);
    expect((err as CacheUnavailableError).store).toBe('pg');
    expect(`${String(err)} ${String((err as Error).cause)}`).not.toContain('s3cret');
  });
});

/** A loopback TCP proxy to the real server that refuses connections until `open()`. */
async function tcpProxy(): Promise<{ port: number; open(): void; close(): Promise<void> }> {
  let forwarding = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (!forwarding) return socket.destroy();
    const upstream = new Socket();
    sockets.add(upstream);
    upstream.connect(5432, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end);
    upstream.on('error', end);
    upstream.on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    open: () => (forwarding = true),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('postgres store reads under concurrency', () => {
  it('100 concurrent gets on a pool of 4 leave as a few statements and each gets its own answer', async () => {
    const { pool, texts } = countingPool();
    const store = new PostgresStore({ pool, schema }, { namespace: 'cc' });
    try {
      await store.init();
      const keys = Array.from({ length: 100 }, (_, i) => `cc:k${i}`);
      await store.setMany(keys.filter((_, i) => i % 3 !== 0).map((key, i) => ({ key, value: `v:${key}:${i}` })));
      const expected = await Promise.all(keys.map((k) => store.getMany([k]).then(([v]) => v)));
      texts.length = 0;
      const got = await Promise.all(keys.map((k) => store.get(k)));
      expect(got).toEqual(expected);
      expect(got.filter((v) => v === undefined).length).toBe(34);
      expect(texts.length).toBeLessThan(100);
    } finally {
      await store.close();
      await pool.end();
    }
  });
});

describe('postgres store locks', () => {
  it('the lock API on Postgres: one owner at a time, release checks the owner, restoreLock releases elsewhere', async () => {
    await withManager({ prefix: 'lk', stores: { pg: { driver: 'postgres', url: PG_URL, schema } } }, async (m) => {
      const cache = m.default;
      const a = cache.lock('report', '30s');
      const b = cache.lock('report', '30s');
      expect(await a.get()).toBe(true);
      expect(await b.get()).toBe(false);
      expect(await b.release()).toBe(false); // not the owner
      expect(await cache.restoreLock('report', a.owner).release()).toBe(true);
      expect(await b.get()).toBe(true);
      // A waiter is woken by the release (LISTEN/NOTIFY or this process's own wake-up).
      const waiting = cache.lock('report', '30s').block('20s', async () => 'ran');
      await new Promise((r) => setTimeout(r, 100));
      await b.release();
      expect(await waiting).toBe('ran');
    });
  });
});
