// Compression and encryption at rest, as a serializer wrapped around the store's own.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { CacheSerializationError } from '../cache.errors';
import type { CacheSerializer } from '../serializer';
import type { ResolvedPipeline } from './pipeline-options';

/*
 * Entry formats. The default serializer's text starts with 'J', a digit or '-'; U+0001 starts
 * neither that nor any JSON, so old entries (written before an option was on) are read as they
 * were. Payloads are base64: Postgres text refuses NUL, and Redis/file keep text.
 *   \u0001z<g|b><base64 of compressed UTF-8 text>
 *   \u0001e<key id>.<base64 of iv(12) | tag(16) | ciphertext>   (AAD: the key id)
 * The encrypted plaintext may itself be a compressed entry (compress first, then encrypt).
 */
const MARK = '\u0001';
const IV = 12;
const TAG = 16;

/** Wraps `inner` so that what it writes is compressed and/or encrypted as `pipeline` says. */
export function pipelineSerializer(inner: CacheSerializer, pipeline: ResolvedPipeline | undefined): CacheSerializer {
  if (pipeline === undefined) return inner;
  const { compress, encrypt } = pipeline;
  const byId = new Map(encrypt?.keys.map((k) => [k.id, k.key]));
  const writeKey = encrypt?.keys[0];
  return {
    serialize(value: unknown, key?: string): string {
      let text = inner.serialize(value, key);
      // Counters stay decimal text so that stores can increment them atomically (INCRBY, SQL).
      if (isDecimal(text)) return text;
      if (compress && Buffer.byteLength(text) > compress.threshold) {
        const raw = Buffer.from(text);
        const packed = compress.algorithm === 'gzip' ? gzipSync(raw) : brotliCompressSync(raw);
        text = `${MARK}z${compress.algorithm === 'gzip' ? 'g' : 'b'}${packed.toString('base64')}`;
      }
      if (writeKey) {
        const iv = randomBytes(IV);
        const cipher = createCipheriv('aes-256-gcm', writeKey.key, iv);
        cipher.setAAD(Buffer.from(writeKey.id));
        const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
        text = `${MARK}e${writeKey.id}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
      }
      return text;
    },
    deserialize(text: string, key?: string): unknown {
      if (text.charCodeAt(0) !== 1) return inner.deserialize(text, key);
      let plain = text;
      if (plain.charCodeAt(1) === 101 /* e */) plain = decrypt(plain, byId, key);
      if (plain.charCodeAt(0) === 1 && plain.charCodeAt(1) === 122 /* z */) plain = inflate(plain, key);
      return inner.deserialize(plain, key);
    },
  };
}

function isDecimal(text: string): boolean {
  const c = text.charCodeAt(0);
  return ((c >= 48 && c <= 57) || c === 45) && Number.isFinite(Number(text));
}

function decrypt(text: string, keys: Map<string, Buffer>, key: string | undefined): string {
  const dot = text.indexOf('.', 2);
  const id = dot < 0 ? '' : text.slice(2, dot);
  const secret = keys.get(id);
  if (secret === undefined) {
    // The key id is a name, not a secret; it tells the operator which key is missing.
    throw fail(key, dot < 0 ? 'is truncated' : `was encrypted with key "${id}", which is not in encrypt.keys`);
  }
  const bytes = Buffer.from(text.slice(dot + 1), 'base64');
  if (bytes.length < IV + TAG) throw fail(key, 'is truncated');
  try {
    const d = createDecipheriv('aes-256-gcm', secret, bytes.subarray(0, IV));
    d.setAAD(Buffer.from(id));
    d.setAuthTag(bytes.subarray(IV, IV + TAG));
    return Buffer.concat([d.update(bytes.subarray(IV + TAG)), d.final()]).toString('utf8');
  } catch (err) {
    throw fail(key, 'failed authentication (tampered, truncated or written with another secret)', err);
  }
}

function inflate(text: string, key: string | undefined): string {
  const alg = text[2];
  if (alg !== 'g' && alg !== 'b') throw fail(key, 'has an unknown compression');
  try {
    const raw = Buffer.from(text.slice(3), 'base64');
    return (alg === 'g' ? gunzipSync(raw) : brotliDecompressSync(raw)).toString('utf8');
  } catch (err) {
    throw fail(key, 'cannot be decompressed', err);
  }
}

function fail(key: string | undefined, why: string, cause?: unknown): CacheSerializationError {
  const k = key === undefined ? '' : ` for key ${JSON.stringify(key)}`;
  return new CacheSerializationError(`Stored value${k} ${why}`, key, cause === undefined ? undefined : { cause });
}
