import { hkdfSync } from 'node:crypto';
import { CacheConfigError } from '../cache.errors';
import type { OptionChecks } from '../option-checks';

/** One encryption key: `id` is written into each entry so that rotation can find the right key. */
export interface CacheEncryptionKey {
  /** Short name of the key (letters, digits, `_`, `-`; up to 32), stored in every entry it wrote. */
  id: string;
  /** A 32-byte Buffer, or a string of at least 32 characters (stretched with HKDF-SHA256). */
  secret: Buffer | string;
}

/**
 * `encrypt`: AES-256-GCM on every stored value. Values are encrypted with the first key and
 * decrypted with whichever listed key wrote them, so a new key is rotated in by listing it first.
 * @example { keys: [{ id: 'k2', secret: process.env.CACHE_KEY_2! }, { id: 'k1', secret: process.env.CACHE_KEY_1! }] }
 */
export interface CacheEncryptOptions {
  keys: readonly CacheEncryptionKey[];
}

/** `compress`: values whose serialized text is longer than `threshold` are stored compressed. */
export interface CacheCompressOptions {
  /**
   * Bytes (a number) or a size string such as `'1kb'`, `'512b'`, `'1mb'`.
   * @default '1kb'
   */
  threshold?: number | string;
  /** @default 'gzip' */
  algorithm?: 'gzip' | 'brotli';
}

/** The pipeline options shared by the Redis, file and Postgres stores. */
export interface ValuePipelineOptions {
  /** Compress values above a size (node:zlib, synchronous). */
  compress?: CacheCompressOptions;
  /** Encrypt values at rest with AES-256-GCM. */
  encrypt?: CacheEncryptOptions;
}

/** Validated pipeline options: 32-byte keys, a threshold in bytes. */
export interface ResolvedPipeline {
  compress?: { threshold: number; algorithm: 'gzip' | 'brotli' };
  encrypt?: { keys: readonly { id: string; key: Buffer }[] };
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const SIZE = /^(\d+)\s*(b|kb|mb)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Checks `compress` and `encrypt`; a bad one is a CacheConfigError naming the store and field (never the secret). */
export function resolvePipeline(options: ValuePipelineOptions, check: OptionChecks): ResolvedPipeline | undefined {
  const out: ResolvedPipeline = {};
  if (options.compress !== undefined) out.compress = resolveCompress(options.compress, check);
  if (options.encrypt !== undefined) out.encrypt = resolveEncrypt(options.encrypt, check);
  return out.compress || out.encrypt ? out : undefined;
}

function resolveCompress(c: CacheCompressOptions, check: OptionChecks): NonNullable<ResolvedPipeline['compress']> {
  if (c === null || typeof c !== 'object') check.fail('compress', "an object such as { threshold: '1kb' }", c);
  check.knownKeys(c, ['threshold', 'algorithm']);
  const algorithm = check.oneOf('compress.algorithm', c.algorithm, ['gzip', 'brotli'] as const, 'gzip');
  const raw = c.threshold ?? '1kb';
  let threshold: number | undefined;
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) threshold = raw;
  if (typeof raw === 'string') {
    const m = SIZE.exec(raw.trim());
    if (m) threshold = Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()];
  }
  if (threshold === undefined) check.fail('compress.threshold', "a number of bytes or a size such as '1kb'", raw);
  return { threshold, algorithm };
}

function resolveEncrypt(e: CacheEncryptOptions, check: OptionChecks): NonNullable<ResolvedPipeline['encrypt']> {
  if (e === null || typeof e !== 'object' || !Array.isArray(e.keys) || e.keys.length === 0) {
    throw new CacheConfigError(
      `${check.at('encrypt.keys')} must be a non-empty array of { id, secret }`,
      check.store,
      'encrypt.keys',
    );
  }
  const seen = new Set<string>();
  const keys = e.keys.map((k: CacheEncryptionKey, i: number) => {
    const field = `encrypt.keys[${i}]`;
    const id: unknown = k?.id;
    if (typeof id !== 'string' || !KEY_ID.test(id)) {
      check.fail(
        `${field}.id`,
        'letters, digits, _ or - (1 to 32 characters)',
        typeof id === 'string' ? id : typeof id,
      );
    }
    if (seen.has(id)) check.fail(`${field}.id`, 'unique among the keys', id);
    seen.add(id);
    return { id, key: deriveKey(k.secret, id, check, `${field}.secret`) };
  });
  return { keys };
}

function deriveKey(secret: unknown, id: string, check: OptionChecks, field: string): Buffer {
  if (Buffer.isBuffer(secret) && secret.length === 32) return secret;
  if (typeof secret === 'string' && secret.length >= 32) {
    return Buffer.from(hkdfSync('sha256', secret, 'nestjs-cachekit', `value-key:${id}`, 32));
  }
  // The message describes the secret's shape only: never its content.
  const got = Buffer.isBuffer(secret)
    ? `a Buffer of ${secret.length} bytes`
    : typeof secret === 'string'
      ? `a string of ${secret.length} characters`
      : typeof secret;
  throw new CacheConfigError(
    `${check.at(field)} must be a 32-byte Buffer or a string of at least 32 characters, got ${got}`,
    check.store,
    field,
  );
}
