import { assertKey, lockKey, normalizeKey } from './keys';
import { tagVersionKey } from './tags/tag-versions';

/** Size of each cache's memo of normalised keys, and the longest key it keeps. */
const MEMO_KEYS = 4096;
const MEMO_KEY_LENGTH = 256;

/**
 * The keys of one cache: user key → store key (namespaced, checked), with a memo of recently
 * read keys, tag version keys, lock keys, and the way back to the user's key for messages and
 * events. Built once per cache; every method is synchronous and returns a string (it sits on
 * every hot path, so it stays a small monomorphic class).
 */
export class CacheKeys {
  /** Recently normalised keys: the namespace join and checks cost more than a Map lookup. */
  private readonly memo = new Map<string, string>();
  /** Tag name → its version key, memoised likewise. */
  private readonly tags = new Map<string, string>();

  constructor(
    /** The joined module and store prefix (may be empty). */
    readonly ns: string,
    /** The store is this cache's alone and holds only checked keys (CacheSettings.ownKeys; `ns` is then ''). */
    private readonly own = false,
  ) {}

  /**
   * {@link read} for `get`. On a store of the cache's own (a memory store, no namespace), a
   * short key that does not start with NUL is its own store key: no memo lookup, no check. Such
   * a store holds only keys that passed the checks, so a key that fails them can only miss, and
   * `get` checks it then ({@link checkMissed}). A NUL-led key (escaped) and a long one (maybe
   * hashed) take {@link read}.
   */
  get(key: string): string {
    return this.own && typeof key === 'string' && key.length <= MEMO_KEY_LENGTH && key.charCodeAt(0) !== 0
      ? key
      : this.read(key);
  }

  /** After {@link get} missed: throws the `CacheArgumentError` {@link read} would have thrown for a bad key. */
  checkMissed(key: string): void {
    if (this.own) assertKey(key);
  }

  /** The store key of a user key, for writes: looks the memo up but never fills it. */
  lookup(key: string): string {
    return this.memo.get(key) ?? normalizeKey(key, this.ns);
  }

  /**
   * {@link lookup} for reads, which also memoise it: keys that are read are the hot ones. Writes
   * only look up, so filling a cache with new keys leaves no memo garbage behind in old space.
   */
  read(key: string): string {
    let k = this.memo.get(key);
    if (k === undefined) {
      k = normalizeKey(key, this.ns);
      if (key.length <= MEMO_KEY_LENGTH) {
        if (this.memo.size >= MEMO_KEYS) this.memo.clear();
        this.memo.set(key, k);
      }
    }
    return k;
  }

  /**
   * The store keys of a batch (`getMany`), in one pass. The memo is looked up, and filled only
   * while it has room: a batch larger than the memo never clears it, so a big batch costs one
   * normalisation per key instead of a memo filled, cleared and refilled (and its tables left
   * behind in old space) on every call.
   */
  many(keys: readonly string[]): string[] {
    const memo = this.memo;
    const ns = this.ns;
    const out = new Array<string>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      let k = memo.get(key);
      if (k === undefined) {
        k = normalizeKey(key, ns);
        if (memo.size < MEMO_KEYS && key.length <= MEMO_KEY_LENGTH) memo.set(key, k);
      }
      out[i] = k;
    }
    return out;
  }

  /** The store key of a tag's current version. */
  tag(tag: string): string {
    let k = this.tags.get(tag);
    if (k === undefined) {
      k = tagVersionKey(this.ns, tag);
      if (this.tags.size >= MEMO_KEYS) this.tags.clear();
      this.tags.set(tag, k);
    }
    return k;
  }

  /** The key of `remember`'s cross-process lease on the store key `k`. */
  lock(k: string): string {
    return lockKey(this.ns, k.slice(this.ns ? this.ns.length + 1 : 0));
  }

  /** The user's key of a store key (the namespace stripped), for events and messages. */
  user(k: string): string {
    const ns = this.ns;
    return ns && k.startsWith(ns + ':') ? k.slice(ns.length + 1) : k;
  }
}
