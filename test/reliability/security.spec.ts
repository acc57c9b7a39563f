/**
 * Security: Redis ACL user/password, db and TLS options reach ioredis; two prefixes on one Redis
 * never see each other; no password in logs, errors or health output; deserialization builds
 * data only.
 */
import { jest } from '@jest/globals';
import {
  CacheConfigError,
  CacheError,
  CacheSerializationError,
  CacheUnavailableError,
  createCacheManager,
  defaultSerializer,
  type CacheLogger,
  type CacheManager,
  type StoreConfig,
} from '../../src';
import { freePort, RedisServer } from '../support/redis-server';

jest.setTimeout(60_000);

const PASSWORD = 's3cret-Pa55';
const silent = { warn: () => undefined, error: () => undefined };
let server: RedisServer;
const managers: CacheManager[] = [];

beforeAll(async () => {
  // `default` may only PING (the harness's readiness probe); `app` owns every key.
  server = await RedisServer.start({
    args: [
      '--user',
      'default',
      'on',
      'nopass',
      '-@all',
      '+ping',
      '--user',
      'app',
      'on',
      `>${PASSWORD}`,
      '~*',
      '&*',
      '+@all',
    ],
  });
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});
afterAll(async () => {
  await server?.stop();
});

function make(store: StoreConfig, prefix = 'sec', logger: CacheLogger = silent): CacheManager {
  const m = createCacheManager({ prefix, logger, stores: { r: store } });
  managers.push(m);
  return m;
}

const appUrl = (db = 0): string => `redis://app:${PASSWORD}@127.0.0.1:${server.port}/${db}`;

describe('Redis credentials and options reach ioredis', () => {
  it('ACL user and password from the URL: works; keys land in the URL db', async () => {
    const m = make({ driver: 'redis', url: appUrl(3) });
    await m.ready();
    expect(await m.default.set('k', 'v')).toBe(true);
    expect(await m.default.get('k')).toBe('v');
    const keys = await server.cli('--user', 'app', '--pass', PASSWORD, '--no-auth-warning', '-n', '3', 'keys', 'sec:*');
    expect(keys.trim()).toBe('sec:k');
  });

  it('username, password and db as ioredis options', async () => {
    const m = make({
      driver: 'redis',
      options: { host: '127.0.0.1', port: server.port, username: 'app', password: PASSWORD, db: 5 },
    });
    await m.ready();
    await m.default.set('k', 1);
    const keys = await server.cli('--user', 'app', '--pass', PASSWORD, '--no-auth-warning', '-n', '5', 'keys', 'sec:*');
    expect(keys.trim()).toBe('sec:k');
  });

  it('without the ACL user the server refuses: start-up fails with a typed error, or writes fail open', async () => {
    // `default` may not run INFO: ioredis' ready check would print a NOPERM warning on the
    // console; a user whose ACL lacks INFO turns the check off (docs/stores-redis.md).
    const warn = jest.spyOn(console, 'warn');
    try {
      const m = make({
        driver: 'redis',
        url: `redis://127.0.0.1:${server.port}`,
        lazyConnect: true,
        options: { enableReadyCheck: false },
      });
      expect(await m.default.set('k', 'v')).toBe(false);
      await expect(m.default.increment('n')).rejects.toBeInstanceOf(CacheUnavailableError);
      await m.close();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('a wrong password: start-up goes on (warning without it); with requireOnStartup a CacheConfigError without it', async () => {
    const lines: string[] = [];
    const logger = {
      log: (s: string) => void lines.push(s),
      warn: (s: string) => void lines.push(s),
      error: () => undefined,
    };
    const url = `redis://app:wrong-${PASSWORD}@127.0.0.1:${server.port}`;
    const lenient = make({ driver: 'redis', url }, 'sec', logger);
    await lenient.ready();
    expect(await lenient.default.set('k', 'v')).toBe(false);
    expect((await lenient.health()).r.status).toBe('down');
    expect(lines).toEqual([
      expect.stringMatching(/^Cache store "r" cannot connect to Redis at redis:\/\/app:\*\*\*@.*(WRONGPASS|password)/i),
    ]);
    const m = make({ driver: 'redis', url, requireOnStartup: true });
    const err = await m.ready().catch((e: unknown) => e);
    // Refused credentials are a configuration problem: a CacheConfigError naming the store.
    expect(err).toBeInstanceOf(CacheConfigError);
    expect((err as CacheConfigError).store).toBe('r');
    expect(String((err as Error).message)).toMatch(
      /^Cache store "r": Redis at redis:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/? refused the credentials \(.*(WRONGPASS|password)/i,
    );
    expect(`${String(err)} ${(err as Error).stack} ${String((err as Error).cause)} ${lines.join(' ')}`).not.toContain(
      PASSWORD,
    );
  });

  it('rediss:// and options.tls make ioredis speak TLS (a plain server never completes the handshake)', async () => {
    const base = { driver: 'redis', timeout: 300, lazyConnect: true } as const;
    // The control: the same server, plain, as the ACL user.
    const plain = make({ ...base, url: appUrl() }).default;
    expect(await plain.increment('tls-control')).toBe(1);
    for (const store of [
      { ...base, url: `rediss://app:${PASSWORD}@127.0.0.1:${server.port}` },
      { ...base, options: { host: '127.0.0.1', port: server.port, username: 'app', password: PASSWORD, tls: {} } },
    ] as StoreConfig[]) {
      const cache = make(store).default;
      await expect(cache.increment('tls')).rejects.toBeInstanceOf(CacheError);
      expect(await cache.set('tls', 1)).toBe(false);
    }
  });
});

describe('two prefixes on one Redis never see each other', () => {
  it('reads, counters, clear and tag flushes stay within their prefix', async () => {
    const a = make({ driver: 'redis', url: appUrl() }, 'shop').default;
    const b = make({ driver: 'redis', url: appUrl() }, 'blog').default;
    await a.tags(['users']).set('user:1', 'a');
    await b.tags(['users']).set('user:1', 'b');
    await a.set('plain', 'a');
    await b.set('plain', 'b');
    expect(await a.increment('n')).toBe(1);
    expect(await b.increment('n', 10)).toBe(10);
    expect(await a.get('user:1')).toBe('a');
    expect(await b.get('user:1')).toBe('b');

    await a.tags(['users']).flush();
    expect(await a.get('user:1')).toBeUndefined();
    expect(await b.get('user:1')).toBe('b');

    await a.clear();
    expect(await a.get('plain')).toBeUndefined();
    expect(await b.getMany(['plain', 'user:1', 'n'])).toEqual({ plain: 'b', 'user:1': 'b', n: 10 });
  });
});

describe('no secret in logs, errors or health output', () => {
  it('a password in the URL of a dead server never appears anywhere', async () => {
    const lines: string[] = [];
    const logger = {
      log: (s: string) => void lines.push(s),
      warn: (s: string) => void lines.push(s),
      error: (s: string) => void lines.push(s),
    };
    const dead = await freePort();
    const m = make(
      { driver: 'redis', url: `redis://app:${PASSWORD}@127.0.0.1:${dead}/1`, timeout: 200 },
      'sec',
      logger,
    );
    const seen: string[] = [];
    const ready = await m.ready().catch((e: unknown) => e);
    seen.push(String(ready), (ready as Error)?.stack ?? '', String((ready as Error)?.cause));
    const cache = m.default;
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.set('k', 1)).toBe(false);
    for (const op of [() => cache.increment('n'), () => cache.clear(), () => cache.tags(['t']).flush()]) {
      const err = await op().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CacheUnavailableError);
      seen.push(String(err), (err as Error).stack ?? '', String((err as Error).cause));
    }
    const health = await m.health(300);
    expect(health.r.status).toBe('down');
    seen.push(JSON.stringify(health), JSON.stringify(await cache.health()), JSON.stringify(m.stats()));
    seen.push(...lines);
    expect(lines.length).toBeGreaterThan(0);
    for (const text of seen) expect(text).not.toContain(PASSWORD);
  });
});

describe('deserialization builds data only', () => {
  it.each([
    ['an own __proto__ key', 'J{"a":{"__proto__":{"polluted":1}}}'],
    ['an unknown type tag', 'J{"\\u0000t":"function","v":"() => process.exit(1)"}'],
    ['a bare JSON object (no format marker)', '{"a":1}'],
    ['truncated text', 'J{"a":'],
    ['an empty string', ''],
  ])('%s is a CacheSerializationError and pollutes nothing', (_name, text) => {
    expect(() => defaultSerializer.deserialize(text, 'k')).toThrow(CacheSerializationError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('constructor/prototype keys and tag-like user keys come back as plain data', () => {
    const value = { constructor: { prototype: { x: 1 } }, '\u0000t': 'date', nested: [{ __proto_: 1 }] };
    const back = defaultSerializer.deserialize(defaultSerializer.serialize(value, 'k'), 'k') as Record<string, unknown>;
    expect(back).toEqual(value);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(typeof back.constructor).toBe('object');
  });
});
