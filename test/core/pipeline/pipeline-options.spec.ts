/**
 * The value pipeline's options (`compress`, `encrypt`, `hashKeys`) on every store that has them:
 * each bad one is a CacheConfigError naming the store and the field, never showing a secret.
 */
import { CacheConfigError, createCacheManager, FileStore, PostgresStore, RedisStore } from '../../../src';

const SECRET = 'a-string-secret-of-at-least-32-chars!';
const silent = { warn: () => undefined, error: () => undefined };

const ROWS: { name: string; options: Record<string, unknown>; field: string; message: RegExp }[] = [
  {
    name: 'compress is not an object',
    options: { compress: true },
    field: 'compress',
    message: /compress must be an object/,
  },
  { name: 'compress is an array', options: { compress: [] }, field: 'compress', message: /compress must be an object/ },
  {
    name: 'an unknown compress option',
    options: { compress: { treshold: 10 } },
    field: 'treshold',
    message: /stores\.s\.compress\.treshold is not a known option; did you mean "threshold"\?/,
  },
  {
    name: 'an unknown algorithm',
    options: { compress: { algorithm: 'zstd' } },
    field: 'compress.algorithm',
    message: /compress\.algorithm must be one of "gzip", "brotli", got "zstd"/,
  },
  {
    name: 'a threshold that does not parse',
    options: { compress: { threshold: '1 gallon' } },
    field: 'compress.threshold',
    message: /compress\.threshold must be a number of bytes/,
  },
  {
    name: 'a negative threshold',
    options: { compress: { threshold: -1 } },
    field: 'compress.threshold',
    message: /threshold/,
  },
  {
    name: 'a fractional threshold',
    options: { compress: { threshold: 1.5 } },
    field: 'compress.threshold',
    message: /threshold/,
  },
  {
    name: 'encrypt is not an object',
    options: { encrypt: 'x' },
    field: 'encrypt',
    message: /encrypt must be an object/,
  },
  {
    name: 'encrypt is the array of keys itself',
    options: { encrypt: [{ id: 'a', secret: SECRET }] },
    field: 'encrypt',
    message: /encrypt must be an object .*got an array/,
  },
  {
    name: 'an unknown encrypt option',
    options: { encrypt: { key: [] } },
    field: 'key',
    message: /encrypt\.key is not a known option; did you mean "keys"\?/,
  },
  {
    name: 'no keys',
    options: { encrypt: { keys: [] } },
    field: 'encrypt.keys',
    message: /encrypt\.keys must be a non-empty array/,
  },
  {
    name: 'keys is not an array',
    options: { encrypt: { keys: 'k' } },
    field: 'encrypt.keys',
    message: /non-empty array/,
  },
  {
    name: 'a key that is not an object',
    options: { encrypt: { keys: [null] } },
    field: 'encrypt.keys[0]',
    message: /encrypt\.keys\[0\] must be an object/,
  },
  {
    name: 'an unknown key field',
    options: { encrypt: { keys: [{ id: 'a', secret: SECRET, algo: 'x' }] } },
    field: 'algo',
    message: /encrypt\.keys\[0\]\.algo is not a known option/,
  },
  {
    name: 'a key without id',
    options: { encrypt: { keys: [{ secret: SECRET }] } },
    field: 'encrypt.keys[0].id',
    message: /\.id must be letters/,
  },
  {
    name: 'a key id with a dot',
    options: { encrypt: { keys: [{ id: 'k.1', secret: SECRET }] } },
    field: 'encrypt.keys[0].id',
    message: /got "k\.1"/,
  },
  {
    name: 'two keys with one id',
    options: {
      encrypt: {
        keys: [
          { id: 'a', secret: SECRET },
          { id: 'a', secret: SECRET },
        ],
      },
    },
    field: 'encrypt.keys[1].id',
    message: /unique/,
  },
  {
    name: 'a short string secret',
    options: { encrypt: { keys: [{ id: 'a', secret: 'hunter2-is-short' }] } },
    field: 'encrypt.keys[0].secret',
    message: /32-byte Buffer or a string of at least 32 characters, got a string of 16 characters/,
  },
  {
    name: 'a 16-byte Buffer secret',
    options: { encrypt: { keys: [{ id: 'a', secret: Buffer.alloc(16, 7) }] } },
    field: 'encrypt.keys[0].secret',
    message: /got a Buffer of 16 bytes/,
  },
  {
    name: 'a numeric secret',
    options: { encrypt: { keys: [{ id: 'a', secret: 12345 }] } },
    field: 'encrypt.keys[0].secret',
    message: /got number/,
  },
  {
    name: 'hashKeys: true without encrypt',
    options: { hashKeys: true },
    field: 'hashKeys',
    message: /hashKeys: true derives the hash key from encrypt\.keys/,
  },
  {
    name: 'hashKeys is a string',
    options: { hashKeys: 'secret-secret-secret-secret-secret' },
    field: 'hashKeys',
    message: /got a string/,
  },
  { name: 'hashKeys is an array', options: { hashKeys: [] }, field: 'hashKeys', message: /got an array/ },
  {
    name: 'an unknown hashKeys option',
    options: { hashKeys: { secrte: SECRET } },
    field: 'secrte',
    message: /hashKeys\.secrte is not a known option; did you mean "secret"\?/,
  },
  {
    name: 'a short hashKeys secret',
    options: { hashKeys: { secret: 'short' } },
    field: 'hashKeys.secret',
    message: /got a string of 5 characters/,
  },
  {
    name: 'hashKeys: true with a short last encrypt key',
    options: {
      encrypt: {
        keys: [
          { id: 'a', secret: SECRET },
          { id: 'b', secret: 'short' },
        ],
      },
      hashKeys: true,
    },
    field: 'encrypt.keys[1].secret',
    message: /encrypt\.keys\[1\]\.secret/,
  },
  { name: 'a misspelt option', options: { compres: {} }, field: 'compres', message: /did you mean "compress"\?/ },
  { name: 'a misspelt encrypt', options: { encript: {} }, field: 'encript', message: /did you mean "encrypt"\?/ },
  { name: 'a misspelt hashKeys', options: { hashkey: true }, field: 'hashkey', message: /did you mean "hashKeys"\?/ },
];

const DRIVERS: Record<string, Record<string, unknown>> = {
  redis: { driver: 'redis', url: 'redis://127.0.0.1:1', lazyConnect: true },
  file: { driver: 'file', directory: '/tmp/cachekit-never-created', pruneInterval: 0 },
  postgres: { driver: 'postgres', url: 'postgres://127.0.0.1:1/none', sweepInterval: 0 },
};

describe.each(Object.keys(DRIVERS))('%s store: bad pipeline options', (driver) => {
  it.each(ROWS)('$name', ({ options, field, message }) => {
    let err: unknown;
    try {
      createCacheManager({ logger: silent, stores: { s: { ...DRIVERS[driver], ...options } as never } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CacheConfigError);
    const e = err as CacheConfigError;
    expect(e.store).toBe('s');
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
    // Never a secret in a message.
    expect(e.message).not.toContain(SECRET);
    expect(e.message).not.toContain('hunter2');
    expect(e.message).not.toContain('secret-secret');
  });
});

describe('pipeline options accepted', () => {
  it.each([
    { compress: {} },
    { compress: { threshold: 0, algorithm: 'brotli' } },
    { compress: { threshold: '64KB' } },
    { compress: { threshold: '2 mb' } },
    { encrypt: { keys: [{ id: 'k-1_A', secret: Buffer.alloc(32, 1) }] } },
    {
      encrypt: {
        keys: [
          { id: 'b', secret: SECRET },
          { id: 'a', secret: Buffer.alloc(32, 2) },
        ],
      },
      hashKeys: true,
    },
    { hashKeys: { secret: Buffer.alloc(32, 3) } },
    { hashKeys: false },
  ])('%j', (options) => {
    for (const driver of Object.keys(DRIVERS)) {
      expect(() =>
        createCacheManager({ logger: silent, stores: { s: { ...DRIVERS[driver], ...options } as never } }),
      ).not.toThrow();
    }
  });

  it('direct construction checks them too, naming the store', () => {
    const bad = { encrypt: { keys: [{ id: 'a', secret: 'short' }] } };
    expect(
      () =>
        new RedisStore({ url: 'redis://127.0.0.1:1', lazyConnect: true, ...bad } as never, {
          namespace: 'n',
          name: 'r',
        }),
    ).toThrow(/stores\.r\.encrypt\.keys\[0\]\.secret/);
    expect(() => new FileStore({ directory: '/tmp/x', pruneInterval: 0, ...bad } as never, { name: 'f' })).toThrow(
      /stores\.f\.encrypt\.keys\[0\]\.secret/,
    );
    expect(
      () =>
        new PostgresStore({ url: 'postgres://127.0.0.1:1/x', sweepInterval: 0, ...bad } as never, {
          namespace: 'n',
          name: 'p',
        }),
    ).toThrow(/stores\.p\.encrypt\.keys\[0\]\.secret/);
  });
});
