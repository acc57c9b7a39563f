/**
 * Bad-input table, configuration rows: each invalid option is one CacheConfigError naming the
 * store and the field; unknown store names are a CacheStoreNotFoundError listing the known ones.
 */
import {
  CacheConfigError,
  CacheStoreNotFoundError,
  createCacheManager,
  MemoryStore,
  type CacheManagerOptions,
} from '../../src';

const silent = { warn: () => undefined, error: () => undefined };

const ROWS: { name: string; options: unknown; store?: string; field: string; message: RegExp }[] = [
  { name: 'stores is an array', options: { stores: [] }, field: 'stores', message: /stores/ },
  { name: 'stores is empty', options: { stores: {} }, field: 'stores', message: /names no store/ },
  {
    name: 'an unknown driver',
    options: { stores: { a: { driver: 'memcache' } } },
    store: 'a',
    field: 'driver',
    message: /stores\.a\.driver.*memcache/,
  },
  {
    name: 'a default naming no store',
    options: { default: 'nope', stores: { a: { driver: 'memory' } } },
    store: 'nope',
    field: 'default',
    message: /"nope".*Known stores: a/,
  },
  {
    name: 'a default that is not a string',
    options: { default: 5, stores: { a: { driver: 'memory' } } },
    field: 'default',
    message: /^Cache option "default" must name a configured store \(a\), got 5$/,
  },
  { name: 'an empty default', options: { default: '' }, field: 'default', message: /"default".*got ""$/ },
  {
    name: 'a clock without now()',
    options: { clock: {} },
    field: 'clock',
    message: /^Cache option "clock" must have a now\(\) method .*got an object without it$/,
  },
  { name: 'clock: false', options: { clock: false }, field: 'clock', message: /"clock".*got false$/ },
  { name: 'a module ttl that does not parse', options: { ttl: 'soon' }, field: 'ttl', message: /ttl.*"soon"/ },
  { name: 'a negative module ttl', options: { ttl: -1 }, field: 'ttl', message: /ttl/ },
  {
    name: 'a store ttl of NaN',
    options: { stores: { a: { driver: 'memory', ttl: NaN } } },
    store: 'a',
    field: 'ttl',
    message: /stores\.a\.ttl/,
  },
  { name: 'a non-string prefix', options: { prefix: 42 }, field: 'prefix', message: /prefix/ },
  {
    name: 'a non-string store prefix',
    options: { stores: { a: { driver: 'memory', prefix: {} } } },
    store: 'a',
    field: 'prefix',
    message: /stores\.a\.prefix/,
  },
  {
    name: 'a non-boolean lock',
    options: { stores: { a: { driver: 'memory', lock: 'yes' } } },
    store: 'a',
    field: 'lock',
    message: /stores\.a\.lock/,
  },
  {
    name: 'maxEntries of -1',
    options: { stores: { a: { driver: 'memory', maxEntries: -1 } } },
    store: 'a',
    field: 'maxEntries',
    message: /stores\.a\.maxEntries/,
  },
  {
    name: 'maxValueBytes of 0',
    options: { stores: { a: { driver: 'memory', maxValueBytes: 0 } } },
    store: 'a',
    field: 'maxValueBytes',
    message: /stores\.a\.maxValueBytes/,
  },
  {
    name: 'maxValueBytes as a string that is no size',
    options: { stores: { a: { driver: 'memory', maxValueBytes: 'lots' } } },
    store: 'a',
    field: 'maxValueBytes',
    message: /stores\.a\.maxValueBytes/,
  },
  {
    name: 'memory maxBytes as a size of 0',
    options: { stores: { a: { driver: 'memory', maxBytes: '0kb' } } },
    store: 'a',
    field: 'maxBytes',
    message: /stores\.a\.maxBytes must be a positive number of bytes or a size such as '1kb', got "0kb"/,
  },
  {
    name: 'file maxBytes as a negative number',
    options: { stores: { f: { driver: 'file', directory: '/tmp/cachekit-unused', maxBytes: -5 } } },
    store: 'f',
    field: 'maxBytes',
    message: /stores\.f\.maxBytes/,
  },
  {
    name: 'a file store without directory',
    options: { stores: { f: { driver: 'file' } } },
    store: 'f',
    field: 'directory',
    message: /stores\.f\.directory/,
  },
  {
    name: 'a Redis store with two sources',
    options: { stores: { r: { driver: 'redis', url: 'redis://127.0.0.1:1', cluster: { nodes: [] } } } },
    store: 'r',
    field: 'cluster',
    message: /stores\.r/,
  },
  {
    name: 'a Redis store with a zero timeout',
    options: { stores: { r: { driver: 'redis', url: 'redis://127.0.0.1:1', timeout: 0 } } },
    store: 'r',
    field: 'timeout',
    message: /stores\.r\.timeout/,
  },
  {
    name: 'a tiered store naming one tier',
    options: { stores: { m: { driver: 'memory' }, t: { driver: 'tiered', tiers: ['m'] } } },
    store: 't',
    field: 'tiers',
    message: /stores\.t\.tiers/,
  },
  {
    name: 'an unknown module key close to a known one',
    options: { store: 'redis' },
    field: 'store',
    message: /^store is not a known option; did you mean "stores"\?$/,
  },
  {
    name: 'an unknown module key far from every known one',
    options: { isGloball: true },
    field: 'isGloball',
    message: /isGloball is not a known option\. Known options: default, prefix, ttl, stores/,
  },
  {
    name: 'a misspelt memory option',
    options: { stores: { a: { driver: 'memory', maxEntires: 10 } } },
    store: 'a',
    field: 'maxEntires',
    message: /^stores\.a\.maxEntires is not a known option; did you mean "maxEntries"\?$/,
  },
  {
    name: 'a common option in the wrong case',
    options: { stores: { a: { driver: 'memory', TTL: 5 } } },
    store: 'a',
    field: 'TTL',
    message: /stores\.a\.TTL .*did you mean "ttl"/,
  },
  {
    name: 'a misspelt file option',
    options: { stores: { f: { driver: 'file', directory: '/tmp/x', dir: '/tmp/x' } } },
    store: 'f',
    field: 'dir',
    message: /stores\.f\.dir .*did you mean "directory"/,
  },
  {
    name: 'a misspelt Redis option',
    options: { stores: { r: { driver: 'redis', lazyConnect: true, urll: 'redis://127.0.0.1:1' } } },
    store: 'r',
    field: 'urll',
    message: /stores\.r\.urll .*did you mean "url"/,
  },
  {
    name: 'a driver option on a custom store',
    options: {
      stores: { c: { driver: { get: () => 1, set: () => 1, delete: () => 1, clear: () => 1 }, maxEntries: 5 } },
    },
    store: 'c',
    field: 'maxEntries',
    message: /stores\.c\.maxEntries is not a known option/,
  },
  {
    name: 'a memory store clone that is not a boolean',
    options: { stores: { a: { driver: 'memory', clone: 'no' } } },
    store: 'a',
    field: 'clone',
    message: /^stores\.a\.clone must be a boolean, got "no"$/,
  },
  {
    name: 'a memory isolation that is misspelt',
    options: { stores: { a: { driver: 'memory', isolation: 'freezed' } } },
    store: 'a',
    field: 'isolation',
    message: /^stores\.a\.isolation must be one of "clone", "freeze", "none", got "freezed"; did you mean "freeze"\?$/,
  },
  {
    name: 'a memory isolation that is not a mode',
    options: { stores: { a: { driver: 'memory', isolation: true } } },
    store: 'a',
    field: 'isolation',
    message: /^stores\.a\.isolation must be one of "clone", "freeze", "none", got true$/,
  },
  {
    name: 'a memory clone contradicting isolation',
    options: { stores: { a: { driver: 'memory', isolation: 'freeze', clone: false } } },
    store: 'a',
    field: 'clone',
    message: /^stores\.a\.clone \(false\) contradicts stores\.a\.isolation \("freeze"\); give only isolation$/,
  },
  {
    name: 'a misspelt memory option key',
    options: { stores: { a: { driver: 'memory', isolaton: 'freeze' } } },
    store: 'a',
    field: 'isolaton',
    message: /^stores\.a\.isolaton is not a known option; did you mean "isolation"\?$/,
  },
  {
    name: 'a memory pruneInterval of -1',
    options: { stores: { a: { driver: 'memory', pruneInterval: -1 } } },
    store: 'a',
    field: 'pruneInterval',
    message: /^stores\.a\.pruneInterval must be a number of ms >= 0 or a duration such as '2s', got -1$/,
  },
  {
    name: 'a file lockStaleMs of 0',
    options: { stores: { f: { driver: 'file', directory: '/tmp/x', lockStaleMs: 0 } } },
    store: 'f',
    field: 'lockStaleMs',
    message: /^stores\.f\.lockStaleMs must be a number of ms > 0, got 0$/,
  },
  {
    name: 'a custom store missing get',
    options: { stores: { c: { driver: { set: () => 1, delete: () => 1, clear: () => 1 } } } },
    store: 'c',
    field: 'driver',
    message: /"?c"?/,
  },
];

describe('bad input: configuration', () => {
  it.each(ROWS)('$name is a CacheConfigError naming the store and field', (row) => {
    let err: unknown;
    try {
      const m = createCacheManager({ logger: silent, ...(row.options as CacheManagerOptions) });
      void m.close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CacheConfigError);
    const e = err as CacheConfigError;
    expect(e.message).toMatch(row.message);
    expect(e.field).toBe(row.field);
    if (row.store) expect(e.store).toBe(row.store);
  });

  it('non-object options are a CacheConfigError', () => {
    for (const options of [null, 'memory', 42]) {
      expect(() => createCacheManager(options as never)).toThrow(CacheConfigError);
    }
  });

  it('an unknown store name is a CacheStoreNotFoundError listing the configured stores', async () => {
    const m = createCacheManager({ logger: silent, stores: { a: { driver: 'memory' }, b: { driver: 'memory' } } });
    try {
      for (const lookup of [() => m.store('nope'), () => m.store('a').store('nope'), () => m.setDefaultStore('nope')]) {
        let err: unknown;
        try {
          lookup();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(CacheStoreNotFoundError);
        expect((err as Error).message).toBe('Cache store "nope" is not configured. Known stores: a, b');
      }
      expect(m.defaultStoreName).toBe('a');
    } finally {
      await m.close();
    }
  });

  it('registerStore options: an unknown key (ttl typo) or a non-boolean lock is a CacheConfigError; nothing registered', async () => {
    const m = createCacheManager({ logger: silent, stores: { a: { driver: 'memory' } } });
    try {
      const cases: [unknown, RegExp, string][] = [
        [{ tll: '10m' }, /^registerStore\("extra"\): "tll" is not a known option; did you mean "ttl"\?/, 'tll'],
        [{ lock: 'yes' }, /^registerStore\("extra"\): lock must be true or false$/, 'lock'],
        [null, /^registerStore\("extra"\): options must be an object$/, 'options'],
      ];
      for (const [options, message, field] of cases) {
        let err: unknown;
        try {
          m.registerStore('extra', new MemoryStore(), options as never);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(CacheConfigError);
        expect((err as Error).message).toMatch(message);
        expect((err as CacheConfigError).field).toBe(field);
        expect(m.stores()).toEqual(['a']);
      }
    } finally {
      await m.close();
    }
  });
});
