/**
 * The time options that read a number as milliseconds (`timeout`, `pruneInterval`,
 * `bus.timeout`) also take a duration string, and Postgres' `connectTimeout`/`sweepInterval`
 * (seconds or a duration) are held to the timer limit like the others. Each bad value is one
 * CacheConfigError naming the store and the field. What the values do against real backends is
 * in the stores' own specs (redis-timeout-duration, postgres.store, file-housekeeper, memory-prune,
 * keyv.store, cache.health).
 */
import { describe, expect, it } from '@jest/globals';
import { CacheConfigError, createCacheManager, type StoreConfig } from '../../src';
import { storeOptionChecks } from '../../src/core/option-checks';
import { resolveFileStoreOptions } from '../../src/stores/file/file-store.options';
import { resolveMemoryStoreOptions } from '../../src/stores/memory/memory-store.options';
import { resolvePostgresOptions } from '../../src/stores/postgres/postgres-store.options';
import { resolveRedisStoreOptions } from '../../src/stores/redis/redis-store.options';
import { quiet } from '../support/with-manager';

/** The longest a Node.js timer waits (2^31 - 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const LIMIT = '2147483647 ms (about 24.8 days, the longest a timer can wait)';
const NOWHERE_REDIS = 'redis://127.0.0.1:1';

/** A store config with the option under test set to `value`, and the field it names. */
const OPTIONS: Record<string, { field: string; min: 0 | 'positive'; store: (value: unknown) => StoreConfig }> = {
  redis: {
    field: 'timeout',
    min: 'positive',
    store: (timeout) => ({ driver: 'redis', url: NOWHERE_REDIS, lazyConnect: true, timeout }) as StoreConfig,
  },
  postgres: {
    field: 'timeout',
    min: 'positive',
    store: (timeout) => ({ driver: 'postgres', url: 'postgres://127.0.0.1:1/test', timeout }) as StoreConfig,
  },
  keyv: {
    field: 'timeout',
    min: 'positive',
    store: (timeout) => ({ driver: 'keyv', store: new Map(), timeout }) as StoreConfig,
  },
  memory: {
    field: 'pruneInterval',
    min: 0,
    store: (pruneInterval) => ({ driver: 'memory', pruneInterval }) as StoreConfig,
  },
  file: {
    field: 'pruneInterval',
    min: 0,
    store: (pruneInterval) =>
      ({ driver: 'file', directory: '/tmp/cachekit-never-created', pruneInterval }) as StoreConfig,
  },
  tiered: {
    field: 'bus.timeout',
    min: 'positive',
    store: (timeout) =>
      ({ driver: 'tiered', tiers: ['mem', 'l2'], bus: { url: NOWHERE_REDIS, timeout } }) as StoreConfig,
  },
};

/** Builds a manager whose store `s` has the option; the tiered store gets its two tiers. */
function build(driver: string, value: unknown): () => void {
  return () => {
    const stores: Record<string, StoreConfig> = { s: OPTIONS[driver].store(value) };
    if (driver === 'tiered') {
      stores.mem = { driver: 'memory', pruneInterval: 0 };
      stores.l2 = { driver: 'redis', url: NOWHERE_REDIS, lazyConnect: true };
    }
    void createCacheManager({ logger: quiet, stores }).close();
  };
}

function configError(run: () => unknown): CacheConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(CacheConfigError);
    return err as CacheConfigError;
  }
  throw new Error('expected a CacheConfigError');
}

describe('time options: a number of ms or a duration string', () => {
  describe.each(Object.keys(OPTIONS))('%s', (driver) => {
    const { field, min } = OPTIONS[driver];
    const expected = min === 0 ? 'a number of ms >= 0' : 'a number of ms > 0';
    const path = `stores\\.s\\.${field.replace('.', '\\.')}`;

    it("accepts a duration string ('50ms', '2s', '1m') and a number of ms", () => {
      for (const value of ['50ms', '2s', '1m', 250, 1.5]) expect(build(driver, value)).not.toThrow();
    });

    it.each([
      ['an unparsable string', 'soon', `${expected} or a duration such as '2s', got "soon"`],
      ['a number string without a unit', '500', `${expected} or a duration such as '2s', got "500"`],
      ['a negative number', -1, `${expected} or a duration such as '2s', got -1`],
      ['a zero duration', '0s', `${expected} or a duration such as '2s', got "0s"`],
      ['NaN', NaN, `${expected} or a duration such as '2s', got NaN`],
      ['a boolean', true, `${expected} or a duration such as '2s', got true`],
      ['an object', { ms: 5 }, `${expected} or a duration such as '2s', got {"ms":5}`],
      ['a duration over the timer limit', '30d', `at most ${LIMIT}, got "30d"`],
      ['a number over the timer limit', MAX_TIMER_MS + 1, `at most ${LIMIT}, got ${MAX_TIMER_MS + 1}`],
    ])('%s is a CacheConfigError naming the store and field', (_name, value, message) => {
      const err = configError(build(driver, value));
      expect(err.message).toMatch(new RegExp(`^${path} must be `));
      expect(err.message).toBe(`stores.s.${field} must be ${message}`);
      expect(err.store).toBe('s');
      expect(err.field).toBe(field);
    });

    it(min === 0 ? 'a number 0 turns it off' : 'zero is refused', () => {
      if (min === 0) expect(build(driver, 0)).not.toThrow();
      else
        expect(configError(build(driver, 0)).message).toBe(
          `stores.s.${field} must be ${expected} or a duration such as '2s', got 0`,
        );
    });
  });

  it('a duration is read into ms and a number stays ms', () => {
    const redis = (timeout: unknown) =>
      resolveRedisStoreOptions({ url: NOWHERE_REDIS, timeout } as never, 'r', 'ns').timeout;
    expect([redis('50ms'), redis('2s'), redis(250), redis(undefined)]).toEqual([50, 2000, 250, 1000]);
    const pg = (timeout: unknown) => resolvePostgresOptions({ url: 'postgres://x/y', timeout } as never, 'pg').timeout;
    expect([pg('1.5s'), pg(300), pg(undefined)]).toEqual([1500, 300, 1000]);
    const memory = (pruneInterval: unknown) => resolveMemoryStoreOptions({ pruneInterval } as never, 'm').pruneInterval;
    expect([memory('1m'), memory(0), memory(undefined)]).toEqual([60_000, 0, 60_000]);
    const file = (pruneInterval: unknown) =>
      resolveFileStoreOptions({ directory: '/tmp/x', pruneInterval } as never, 'f').pruneInterval;
    expect([file('5m'), file(20), file(0)]).toEqual([300_000, 20, 0]);
    expect(storeOptionChecks('b').msOrDuration('bus.timeout', '250ms', 1000)).toBe(250);
  });

  it('options named ...Ms stay numbers of ms only', () => {
    const err = configError(() => resolveFileStoreOptions({ directory: '/tmp/x', lockStaleMs: '10s' } as never, 'f'));
    expect(err.message).toBe('stores.f.lockStaleMs must be a number of ms > 0, got "10s"');
  });
});

describe('Postgres connectTimeout and sweepInterval: seconds or a duration, at most the timer limit', () => {
  const pg = (extra: object) => () => resolvePostgresOptions({ url: 'postgres://x/y', ...extra } as never, 'pg');

  it.each(['connectTimeout', 'sweepInterval'])(
    '%s: a number is seconds, a duration string is read as such',
    (field) => {
      const ms = (value: unknown) => {
        const o = pg({ [field]: value })();
        return field === 'connectTimeout' ? o.connectTimeoutMs : o.sweepIntervalMs;
      };
      expect([ms(30), ms('500ms'), ms('24d')]).toEqual([30_000, 500, 24 * 86_400_000]);
    },
  );

  it.each([
    ['connectTimeout', '30d', `Invalid stores.pg.connectTimeout: 30d. At most ${LIMIT}`],
    ['sweepInterval', '30d', `Invalid stores.pg.sweepInterval: 30d. At most ${LIMIT}`],
    ['sweepInterval', 30 * 86_400, `Invalid stores.pg.sweepInterval: 2592000. At most ${LIMIT}`],
    [
      'sweepInterval',
      Infinity,
      "Invalid stores.pg.sweepInterval: Infinity. Expected a finite number of seconds or a duration such as '30s'",
    ],
    [
      'connectTimeout',
      'soon',
      `Invalid stores.pg.connectTimeout: "soon". Expected a duration such as '500ms', '30s', '10m', '1h' or '7d'`,
    ],
    [
      'connectTimeout',
      0,
      "Invalid stores.pg.connectTimeout: 0. Expected a positive number of seconds or a duration such as '30s' or '10m'",
    ],
    ['sweepInterval', true, 'Invalid stores.pg.sweepInterval: expected seconds or a duration string, got boolean'],
  ])('%s %p is a CacheConfigError naming the store and field', (field, value, message) => {
    const err = configError(pg({ [field]: value }));
    expect(err.message).toBe(message);
    expect(err.store).toBe('pg');
    expect(err.field).toBe(field);
  });

  it('sweepInterval 0 still turns the sweep off', () => {
    expect(pg({ sweepInterval: 0 })().sweepIntervalMs).toBe(0);
  });
});
