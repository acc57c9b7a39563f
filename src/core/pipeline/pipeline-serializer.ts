// Compression and encryption at rest, as a serializer wrapped around the store's own.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { constants as bufferConstants } from 'node:buffer';
import { CacheSerializationError } from '../cache.errors';
import type { CacheSerializer } from '../serializer';
import { readBatchValue, UnreadableEntry } from '../store-access/unreadable-entry';
import type { ResolvedPipeline } from './pipeline-options';

/*
 * Entry formats. The default serializer's text starts with 'J', a digit or '-'; U+0001 starts
 * neither that nor any JSON, so old entries (written before an option was on) are read as they
 * were. Payloads are base64: Postgres text refuses NUL, and Redis/file keep text.
 *   \u0001z<g|b><base64 of compressed UTF-8 text>
 *   \u0001e<key id>.<base64 of iv(12) | tag(16) | ciphertext>   (AAD: key id, NUL, store key)
 * The encrypted plaintext may itself be a compressed entry (compress first, then encrypt). The
 * store key in the AAD makes an entry copied under another key fail authentication.
 */
const MARK = '\u0001';
const IV = 12;
const TAG = 16;

/**
 * Serialized text of at least this many bytes is compressed on the zlib thread pool (and a
 * compressed payload of at least {@link ASYNC_INFLATE_BYTES} inflated there) by the async
 * methods: below it, the synchronous call costs less than the hop (docs/benchmarks.md, `pipeline`).
 */
export const ASYNC_COMPRESS_BYTES = 64 * 1024;
/** See {@link ASYNC_COMPRESS_BYTES}: base64 characters of a compressed payload. */
export const ASYNC_INFLATE_BYTES = 16 * 1024;

/** Decimal text, as `String(number)` writes it: counters stay as they are (INCRBY, SQL numeric). */
const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:e[+-]\d+)?$/;

/** A serializer with the pipeline: `serializeAsync`/`deserializeAsync` keep large values off the event loop. */
export interface PipelineSerializer extends CacheSerializer {
  serializeAsync(value: unknown, key?: string): Promise<string>;
  deserializeAsync(text: string, key?: string): Promise<unknown>;
}

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);
const brotliAsync = promisify(zlib.brotliCompress);
const unbrotliAsync = promisify(zlib.brotliDecompress);
/** Brotli's default quality (11) takes seconds per megabyte; 4 is about gzip's speed with a better ratio. */
const BROTLI: zlib.BrotliOptions = {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_MODE]: 1 /* text */ },
};
/** A stored payload can never inflate past what a string may hold (and a bomb fails, not the process). */
const INFLATE: zlib.ZlibOptions = { maxOutputLength: bufferConstants.MAX_STRING_LENGTH };
const UNBROTLI: zlib.BrotliOptions = { maxOutputLength: bufferConstants.MAX_STRING_LENGTH };

/**
 * Wraps `inner` so that what it writes is compressed and/or encrypted as `pipeline` says. Without
 * either option, it still reads the pipeline's formats (entries written while an option was on):
 * compressed ones inflate, encrypted ones are a CacheSerializationError naming the key id.
 */
export function pipelineSerializer(inner: CacheSerializer, pipeline: ResolvedPipeline | undefined): CacheSerializer {
  if (pipeline === undefined || (!pipeline.compress && !pipeline.encrypt)) {
    const reader = new Pipeline(inner, {});
    return {
      serialize: (value, key) => inner.serialize(value, key),
      deserialize: (text, key) =>
        text.charCodeAt(0) === 1 ? reader.deserialize(text, key) : inner.deserialize(text, key),
    };
  }
  return new Pipeline(inner, pipeline);
}

/**
 * The async methods of `s` when it compresses (the one step worth taking off the event loop), so
 * a store writes `codec ? await codec.serializeAsync(v, k) : serializer.serialize(v, k)` and the
 * plain path takes no extra tick.
 */
export function asyncCodec(s: CacheSerializer): PipelineSerializer | undefined {
  return s instanceof Pipeline && s.compresses ? s : undefined;
}

/** The texts of a batch: through the async path when there is one. Serialized first, so one bad value writes nothing. */
export function serializeEntries(
  serializer: CacheSerializer,
  entries: readonly { key: string; value: unknown }[],
): string[] | Promise<string[]> {
  const codec = asyncCodec(serializer);
  if (codec === undefined) return entries.map((e) => serializer.serialize(e.value, e.key));
  return Promise.all(entries.map((e) => codec.serializeAsync(e.value, e.key)));
}

/**
 * The values of a `getMany` batch (`null`/`undefined`: a miss). An unreadable one is an
 * UnreadableEntry (one miss and one counted error), the rest stand; large ones are inflated off
 * the event loop when the serializer compresses.
 */
export function readBatch(
  serializer: CacheSerializer,
  texts: readonly (string | null | undefined)[],
  keys: readonly string[],
): unknown[] | Promise<unknown[]> {
  const codec = asyncCodec(serializer);
  if (codec === undefined) {
    return texts.map((t, i) => (t === null || t === undefined ? undefined : readBatchValue(serializer, t, keys[i])));
  }
  return Promise.all(
    texts.map((t, i) =>
      t === null || t === undefined
        ? undefined
        : codec.deserializeAsync(t, keys[i]).catch((err: unknown) => new UnreadableEntry(err)),
    ),
  );
}

class Pipeline implements PipelineSerializer {
  private readonly compress: ResolvedPipeline['compress'];
  readonly compresses: boolean;
  private readonly byId: Map<string, Buffer>;
  private readonly writeKey: { id: string; key: Buffer } | undefined;

  constructor(
    private readonly inner: CacheSerializer,
    pipeline: ResolvedPipeline,
  ) {
    this.compress = pipeline.compress;
    this.compresses = pipeline.compress !== undefined;
    this.byId = new Map(pipeline.encrypt?.keys.map((k) => [k.id, k.key]));
    this.writeKey = pipeline.encrypt?.keys[0];
  }

  serialize(value: unknown, key?: string): string {
    const text = this.inner.serialize(value, key);
    if (DECIMAL.test(text)) return text;
    const packed = this.shouldCompress(text) ? this.packed(text, this.deflateSync(text)) : text;
    return this.seal(packed, key);
  }

  async serializeAsync(value: unknown, key?: string): Promise<string> {
    const text = this.inner.serialize(value, key);
    if (DECIMAL.test(text)) return text;
    let packed = text;
    if (this.shouldCompress(text)) {
      const raw = text.length >= ASYNC_COMPRESS_BYTES ? await this.deflateAsync(text) : this.deflateSync(text);
      packed = this.packed(text, raw);
    }
    return this.seal(packed, key);
  }

  deserialize(text: string, key?: string): unknown {
    if (text.charCodeAt(0) !== 1) return this.inner.deserialize(text, key);
    const plain = text.charCodeAt(1) === 101 /* e */ ? this.open(text, key) : text;
    if (plain.charCodeAt(0) !== 1) return this.inner.deserialize(plain, key);
    return this.inner.deserialize(inflateSync(plain, key), key);
  }

  async deserializeAsync(text: string, key?: string): Promise<unknown> {
    if (text.charCodeAt(0) !== 1) return this.inner.deserialize(text, key);
    const plain = text.charCodeAt(1) === 101 /* e */ ? this.open(text, key) : text;
    if (plain.charCodeAt(0) !== 1) return this.inner.deserialize(plain, key);
    const inflated = plain.length >= ASYNC_INFLATE_BYTES ? await inflateAsync(plain, key) : inflateSync(plain, key);
    return this.inner.deserialize(inflated, key);
  }

  private shouldCompress(text: string): boolean {
    const c = this.compress;
    if (c === undefined || text.length * 3 <= c.threshold) return false;
    return text.length > c.threshold || Buffer.byteLength(text) > c.threshold;
  }

  private deflateSync(text: string): Buffer {
    return this.compress!.algorithm === 'gzip' ? zlib.gzipSync(text) : zlib.brotliCompressSync(text, BROTLI);
  }

  private deflateAsync(text: string): Promise<Buffer> {
    return this.compress!.algorithm === 'gzip' ? gzipAsync(text) : brotliAsync(text, BROTLI);
  }

  /** The compressed entry, or the text itself when compressing did not make it shorter. */
  private packed(text: string, raw: Buffer): string {
    const encoded = raw.toString('base64');
    if (encoded.length + 3 >= text.length) return text;
    return `${MARK}z${this.compress!.algorithm === 'gzip' ? 'g' : 'b'}${encoded}`;
  }

  /** Encrypts under the first key when `encrypt` is on. */
  private seal(text: string, key: string | undefined): string {
    const w = this.writeKey;
    if (w === undefined) return text;
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', w.key, iv);
    cipher.setAAD(aad(w.id, key));
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return `${MARK}e${w.id}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** The plaintext of an encrypted entry; any failure is a CacheSerializationError (read as a miss). */
  private open(text: string, key: string | undefined): string {
    const dot = text.indexOf('.', 2);
    const id = dot < 0 ? '' : text.slice(2, dot);
    const secret = this.byId.get(id);
    if (secret === undefined) {
      // The key id is a name, not a secret; it tells the operator which key is missing.
      throw fail(key, dot < 0 ? 'is truncated' : `was encrypted with key "${id}", which is not in encrypt.keys`);
    }
    const bytes = Buffer.from(text.slice(dot + 1), 'base64');
    if (bytes.length < IV + TAG) throw fail(key, 'is truncated');
    try {
      const d = createDecipheriv('aes-256-gcm', secret, bytes.subarray(0, IV));
      d.setAAD(aad(id, key));
      d.setAuthTag(bytes.subarray(IV, IV + TAG));
      return Buffer.concat([d.update(bytes.subarray(IV + TAG)), d.final()]).toString('utf8');
    } catch (err) {
      throw fail(
        key,
        'failed authentication (tampered, truncated, moved from another key or written with another secret)',
        err,
      );
    }
  }
}

function aad(id: string, key: string | undefined): Buffer {
  return Buffer.from(`${id}\u0000${key ?? ''}`);
}

function compressedPayload(text: string, key: string | undefined): { alg: 'g' | 'b'; raw: Buffer } {
  const alg = text[2];
  if (text[1] !== 'z' || (alg !== 'g' && alg !== 'b')) throw fail(key, 'is not in a known format');
  return { alg, raw: Buffer.from(text.slice(3), 'base64') };
}

function inflateSync(text: string, key: string | undefined): string {
  const { alg, raw } = compressedPayload(text, key);
  try {
    return (alg === 'g' ? zlib.gunzipSync(raw, INFLATE) : zlib.brotliDecompressSync(raw, UNBROTLI)).toString('utf8');
  } catch (err) {
    throw fail(key, 'cannot be decompressed', err);
  }
}

async function inflateAsync(text: string, key: string | undefined): Promise<string> {
  const { alg, raw } = compressedPayload(text, key);
  try {
    return (alg === 'g' ? await gunzipAsync(raw, INFLATE) : await unbrotliAsync(raw, UNBROTLI)).toString('utf8');
  } catch (err) {
    throw fail(key, 'cannot be decompressed', err);
  }
}

function fail(key: string | undefined, why: string, cause?: unknown): CacheSerializationError {
  const k = key === undefined ? '' : ` for key ${JSON.stringify(key)}`;
  return new CacheSerializationError(`Stored value${k} ${why}`, key, cause === undefined ? undefined : { cause });
}
