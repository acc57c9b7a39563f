/**
 * The pipeline serializer on its own: formats, the async path for large values (off the event
 * loop: an immediate queued before the call runs before it resolves), and the plain path.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CacheSerializationError, defaultSerializer } from '../../../src';
import { OptionChecks } from '../../../src/core/option-checks';
import {
  asyncCodec,
  ASYNC_COMPRESS_BYTES,
  ASYNC_INFLATE_BYTES,
  pipelineSerializer,
  resolvePipeline,
  type PipelineSerializer,
} from '../../../src/core/pipeline';

const check = new OptionChecks('s');
const make = (options: object) => pipelineSerializer(defaultSerializer, resolvePipeline(options, check));
const big = (bytes: number) => Array.from({ length: Math.ceil(bytes / 40) }, (_, i) => ({ id: i, name: `user ${i}` }));
/** JSON that compresses about 2:1 (hex), so its compressed form is large too. */
const hexy = (bytes: number) => Array.from({ length: Math.ceil(bytes / 40) }, () => randomBytes(16).toString('hex'));

/** Whether a macrotask ran while `p` was pending: the work left the event loop. */
async function yieldedDuring<T>(run: () => Promise<T>): Promise<{ value: T; yielded: boolean }> {
  let yielded = false;
  setImmediate(() => (yielded = true));
  const value = await run();
  return { value, yielded };
}

describe('pipeline serializer', () => {
  it.each(['gzip', 'brotli'] as const)(
    '%s: large values compress and decompress on the zlib thread pool',
    async (algorithm) => {
      const s = asyncCodec(make({ compress: { algorithm } }))!;
      expect(s).toBeDefined();
      const value = hexy(ASYNC_COMPRESS_BYTES * 2);
      const w = await yieldedDuring(() => s.serializeAsync(value, 'k'));
      expect(w.yielded).toBe(true);
      expect(w.value.startsWith(algorithm === 'gzip' ? '\u0001zg' : '\u0001zb')).toBe(true);
      expect(w.value.length).toBeGreaterThanOrEqual(ASYNC_INFLATE_BYTES);
      const r = await yieldedDuring(() => s.deserializeAsync(w.value, 'k'));
      expect(r.yielded).toBe(true);
      expect(r.value).toEqual(value);
      // The sync twins read and write the same format.
      expect(s.deserialize(w.value, 'k')).toEqual(value);
      expect(s.deserialize(s.serialize(value, 'k'), 'k')).toEqual(value);
    },
  );

  it('small values stay on the event loop (no hop for what costs less than the hop)', async () => {
    const s = asyncCodec(make({ compress: { threshold: 0 } }))!;
    const value = big(4096);
    const w = await yieldedDuring(() => s.serializeAsync(value, 'k'));
    expect(w.yielded).toBe(false);
    expect(w.value.startsWith('\u0001zg')).toBe(true);
    expect((await yieldedDuring(() => s.deserializeAsync(w.value, 'k'))).yielded).toBe(false);
  });

  it('text that compression would not shorten is stored as it is', () => {
    const s = make({ compress: { threshold: 0 } });
    expect(s.serialize('ab', 'k')).toBe('J"ab"');
    const random = randomBytes(3000).toString('base64');
    expect(s.serialize(random, 'k').charCodeAt(0)).not.toBe(1);
  });

  it('the threshold counts UTF-8 bytes', () => {
    const s = make({ compress: { threshold: 100 } });
    expect(s.serialize('é'.repeat(40), 'k').startsWith('\u0001z')).toBe(false); // 83 bytes
    expect(s.serialize('é'.repeat(60), 'k').startsWith('\u0001z')).toBe(true); // 123 bytes
  });

  it('encrypt only: no async path (nothing to take off the loop), every write a fresh IV', () => {
    const s = make({ encrypt: { keys: [{ id: 'a', secret: Buffer.alloc(32, 1) }] } });
    expect(asyncCodec(s)).toBeUndefined();
    const one = s.serialize({ a: 1 }, 'k');
    const two = s.serialize({ a: 1 }, 'k');
    expect(one).not.toBe(two);
    expect(s.deserialize(one, 'k')).toEqual({ a: 1 });
    expect(() => s.deserialize(one, 'other-key')).toThrow(CacheSerializationError);
  });

  it('without options it writes the plain format and still reads compressed entries', () => {
    const plain = make({});
    const compressed = make({ compress: { threshold: 0 } }).serialize(big(2000), 'k');
    expect(plain.serialize({ a: 1 }, 'k')).toBe('J{"a":1}');
    expect(plain.deserialize(compressed, 'k')).toEqual(big(2000));
    expect(() => plain.deserialize('\u0001ea.AAAA', 'k')).toThrow(
      /encrypted with key "a", which is not in encrypt\.keys/,
    );
  });

  it('a cut gzip payload fails as a bad entry (async and sync), not the process', async () => {
    const s = asyncCodec(make({ compress: {} })) as PipelineSerializer;
    const cut =
      '\u0001zg' +
      gzipSync(Buffer.from('x'.repeat(100)))
        .subarray(0, 8)
        .toString('base64');
    await expect(s.deserializeAsync(cut, 'k')).rejects.toThrow(/for key "k" cannot be decompressed/);
    expect(() => s.deserialize(cut, 'k')).toThrow(CacheSerializationError);
    expect(() => s.deserialize('\u0001zq' + cut.slice(3), 'k')).toThrow(/not in a known format/);
  });
});
