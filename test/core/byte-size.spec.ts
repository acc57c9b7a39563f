// Sizes as users write them: numbers of bytes or strings such as '1kb' (DESIGN: '1kb' = 1,024 bytes).
import { createCacheManager, CacheSerializationError, MemoryStore } from '../../src';
import { parseByteSize } from '../../src/core/byte-size';

describe('parseByteSize', () => {
  it.each([
    [0, 0],
    [1536, 1536],
    ['512', 512],
    ['512b', 512],
    ['1kb', 1024],
    ['1KB', 1024],
    [' 64 kb ', 64 * 1024],
    ['1.5mb', 1.5 * 1024 * 1024],
    ['2gb', 2 * 1024 ** 3],
    ['0.5b', 0],
  ])('reads %j as %d bytes', (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes);
  });

  it.each([[-1], [1.5], [Number.NaN], [Infinity], ['lots'], ['1 tb'], ['-1kb'], [''], [null], [{}], ['1e3']])(
    'refuses %j',
    (input) => {
      expect(parseByteSize(input)).toBeUndefined();
    },
  );
});

describe('size strings in options', () => {
  it("maxValueBytes: '1kb' limits a store's writes to 1,024 bytes", async () => {
    const m = createCacheManager({ stores: { memory: { driver: 'memory', maxValueBytes: '1kb' } } });
    try {
      expect(await m.set('fits', 'x'.repeat(1000))).toBe(true);
      const err = await m.set('big', 'x'.repeat(1100)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CacheSerializationError);
      expect((err as Error).message).toMatch(/^Value for key "big" is \d+ bytes, over maxValueBytes \(1024\)/);
      expect(await m.has('big')).toBe(false);
    } finally {
      await m.close();
    }
  });

  it("memory maxBytes: '1kb' bounds the store as 1024 would", () => {
    const store = new MemoryStore({ maxBytes: '1kb' });
    expect(() => store.setSync('k', 'x'.repeat(2000))).toThrow(/over maxBytes \(1024\)/);
  });
});
