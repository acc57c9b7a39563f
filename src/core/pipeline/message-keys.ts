// The keys that seal a store's two-tier bus messages, derived from its `encrypt` / `hashKeys`.
import { hkdfSync } from 'node:crypto';
import type { CacheStore } from '../store.types';
import type { ResolvedPipeline } from './pipeline-options';

/** One key of the bus: `id` travels with each message it sealed, so rotation finds the right key. */
export interface MessageKey {
  id: string;
  key: Buffer;
}

/**
 * The id of the one message key derived from `hashKeys` alone (no `encrypt`): not a valid
 * `encrypt.keys[].id`, so it never stands for a configured key.
 */
export const HASH_KEY_ID = '#';

/**
 * The message keys of a pipeline: one per `encrypt` key (same ids, same order: the first seals,
 * any opens), or without `encrypt` one from the `hashKeys` secret; none when neither is on. Each
 * is derived with HKDF (its own `info`), so a message key is never a value key or the hash key.
 */
export function deriveMessageKeys(pipeline: ResolvedPipeline | undefined): readonly MessageKey[] | undefined {
  const keys = pipeline?.encrypt?.keys;
  if (keys) return keys.map((k) => ({ id: k.id, key: derive(k.key, `bus-message:${k.id}`) }));
  const hashKey = pipeline?.hashKey;
  return hashKey ? [{ id: HASH_KEY_ID, key: derive(hashKey, 'bus-message') }] : undefined;
}

function derive(key: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, 'nestjs-cachekit', info, 32));
}

/** Stores with `encrypt` or `hashKeys` (and the hashed views of them), to their message keys. */
const registered = new WeakMap<object, readonly MessageKey[]>();

/** Remembers the message keys of `store` (as returned by its constructor). */
export function registerMessageKeys(store: CacheStore, keys: readonly MessageKey[] | undefined): void {
  if (keys) registered.set(store, keys);
}

/**
 * The keys a two-tier store seals its bus messages with when `store` is its L2: the L2's own
 * (every instance must share them to read L2 anyway); `undefined` when the L2 has neither option.
 */
export function messageKeysOf(store: CacheStore): readonly MessageKey[] | undefined {
  return registered.get(store);
}
