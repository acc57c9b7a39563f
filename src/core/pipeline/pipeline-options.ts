import { hkdfSync } from 'node:crypto';
import { CacheConfigError } from '../cache.errors';
import { OptionChecks } from '../option-checks';

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
  /** gzip (level 6) or brotli (quality 4). @default 'gzip' */
  algorithm?: 'gzip' | 'brotli';
}

/**
 * `hashKeys`: store a keyed hash (HMAC-SHA256) of each key instead of its name. `true` derives
 * the hash key from the last (oldest) of `encrypt.keys`; `{ secret }` gives one of its own.
 */
export type CacheHashKeysOption = boolean | { secret: Buffer | string };

/** The pipeline options shared by the Redis, file and Postgres stores (docs/configuration.md). */
export interface ValuePipelineOptions {
  /** Compress values above a size (node:zlib; off the event loop for large values). */
  compress?: CacheCompressOptions;
  /** Encrypt values at rest with AES-256-GCM. */
  encrypt?: CacheEncryptOptions;
  /**
   * Store keyed hashes of key names instead of the names (tag names and lease keys too).
   * `clear()` still works (by prefix); listing or scanning keys in the backend shows hashes only.
   * @default false
   */
  hashKeys?: CacheHashKeysOption;
}

/** The option names of {@link ValuePipelineOptions}, for each store's unknown-key check. */
export const PIPELINE_OPTION_KEYS = ['compress', 'encrypt', 'hashKeys'] as const;

/** Validated pipeline options: 32-byte keys, a threshold in bytes. */
export interface ResolvedPipeline {
  compress?: { threshold: number; algorithm: 'gzip' | 'brotli' };
  encrypt?: { keys: readonly { id: string; key: Buffer }[] };
  /** The HMAC key of `hashKeys`. */
  hashKey?: Buffer;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** HKDF salt: fixed, so that one string secret gives the same key in every process. */
const SALT = 'nestjs-cachekit';

/** Checks `compress`, `encrypt` and `hashKeys`; a bad one is a CacheConfigError naming the store and field (never the secret). */
export function resolvePipeline(options: ValuePipelineOptions, check: OptionChecks): ResolvedPipeline | undefined {
  const out: ResolvedPipeline = {};
  if (options.compress !== undefined) out.compress = resolveCompress(options.compress, check);
  if (options.encrypt !== undefined) out.encrypt = resolveEncrypt(options.encrypt, check);
  if (options.hashKeys !== undefined && options.hashKeys !== false) out.hashKey = resolveHashKey(options, check);
  return out.compress || out.encrypt || out.hashKey ? out : undefined;
}

/** Checks of the options object at `field` (its unknown keys are reported as `<field>.<key>`). */
function within(check: OptionChecks, field: string): OptionChecks {
  return new OptionChecks(check.store, check.at(field));
}

function resolveCompress(c: CacheCompressOptions, check: OptionChecks): NonNullable<ResolvedPipeline['compress']> {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) {
    check.fail('compress', "an object such as { threshold: '1kb' }", c);
  }
  within(check, 'compress').knownKeys(c, ['threshold', 'algorithm']);
  const algorithm = check.oneOf('compress.algorithm', c.algorithm, ['gzip', 'brotli'] as const, 'gzip');
  const threshold = check.bytes('compress.threshold', c.threshold, 1024, 0);
  return { threshold, algorithm };
}

function resolveEncrypt(e: CacheEncryptOptions, check: OptionChecks): NonNullable<ResolvedPipeline['encrypt']> {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) {
    shapeError(check, 'encrypt', 'an object such as { keys: [{ id, secret }] }', e);
  }
  within(check, 'encrypt').knownKeys(e, ['keys']);
  if (!Array.isArray(e.keys) || e.keys.length === 0) {
    throw new CacheConfigError(
      `${check.at('encrypt.keys')} must be a non-empty array of { id, secret }`,
      check.store,
      'encrypt.keys',
    );
  }
  const seen = new Set<string>();
  const keys = e.keys.map((k: CacheEncryptionKey, i: number) => {
    const field = `encrypt.keys[${i}]`;
    if (k === null || typeof k !== 'object') check.fail(field, 'an object { id, secret }', typeof k);
    within(check, field).knownKeys(k, ['id', 'secret']);
    const id: unknown = k.id;
    if (typeof id !== 'string' || !KEY_ID.test(id)) {
      check.fail(
        `${field}.id`,
        'letters, digits, _ or - (1 to 32 characters)',
        typeof id === 'string' ? id : typeof id,
      );
    }
    if (seen.has(id)) check.fail(`${field}.id`, 'unique among the keys', id);
    seen.add(id);
    return { id, key: deriveKey(k.secret, `value-key:${id}`, check, `${field}.secret`) };
  });
  return { keys };
}

function resolveHashKey(options: ValuePipelineOptions, check: OptionChecks): Buffer {
  const h = options.hashKeys;
  if (h === true) {
    const keys = options.encrypt?.keys;
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new CacheConfigError(
        `${check.at('hashKeys')}: true derives the hash key from encrypt.keys, and there are none; give encrypt, or hashKeys: { secret }`,
        check.store,
        'hashKeys',
      );
    }
    // The oldest key: rotation lists a new key first and keeps the old one until its entries are
    // gone, so the key names stay the same through a rotation.
    const last = keys[keys.length - 1];
    return deriveKey(last.secret, 'key-hash', check, `encrypt.keys[${keys.length - 1}].secret`, true);
  }
  if (h === null || typeof h !== 'object' || Array.isArray(h)) {
    shapeError(check, 'hashKeys', 'true, false or { secret }', h);
  }
  within(check, 'hashKeys').knownKeys(h, ['secret']);
  return deriveKey(h.secret, 'key-hash', check, 'hashKeys.secret', true);
}

/** A bad option that may hold secrets: the message says what kind of value it is, never its content. */
function shapeError(check: OptionChecks, field: string, expected: string, got: unknown): never {
  const kind = Array.isArray(got)
    ? 'an array'
    : got === null
      ? 'null'
      : typeof got === 'string'
        ? 'a string'
        : typeof got;
  throw new CacheConfigError(`${check.at(field)} must be ${expected}, got ${kind}`, check.store, field);
}

/**
 * A 32-byte key from a secret: a 32-byte Buffer as it is (or, with `always`, through HKDF too, so
 * that the hash key is never the encryption key), a string of 32+ characters through HKDF-SHA256.
 */
function deriveKey(secret: unknown, info: string, check: OptionChecks, field: string, always = false): Buffer {
  if (Buffer.isBuffer(secret) && secret.length === 32) {
    return always ? Buffer.from(hkdfSync('sha256', secret, SALT, info, 32)) : Buffer.from(secret);
  }
  if (typeof secret === 'string' && secret.length >= 32) {
    return Buffer.from(hkdfSync('sha256', secret, SALT, info, 32));
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
