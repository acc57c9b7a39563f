// The Redis store's `getWithTags` hook (owned with core/tags; the rest of the store is the
// Redis driver's): a tagged read in one round trip.
//
// One MGET of the entry and the tag version keys. On a single node or Sentinel that is one
// command, and atomic: the versions are those of the moment the entry was read. On a Cluster
// the entry and the versions live in different hash slots (a version key is shared by entries
// in every slot), so no single command can span them: one MGET per slot, sent together
// (`clusterMget`), one round trip of latency and the same commands as reading the entry and
// then the versions. Not atomic across slots, which is no weaker than before: a read that
// begins after a flush has completed still sees the flushed (deleted) version and misses.
import type { Cluster } from 'ioredis';
import type { CacheSerializer } from '../../core/serializer';
import { readBatch } from '../../core/pipeline';
import { UnreadableEntry } from '../../core/store-access/unreadable-entry';
import { entryAndTagKeys } from '../../core/tags/get-with-tags';
import { clusterMget } from './redis.commands';
import type { RedisConnection } from './redis.connection';

/**
 * `[value, ...versions]` of `key` and `tagKeys`. The value is read as `get` reads it (an
 * unreadable one rejects); an unreadable version is an `UnreadableEntry` in its place. One async
 * function, not `getWithTagsByGetMany` over a `getMany` closure: one promise less per read.
 */
export async function redisGetWithTags(
  conn: RedisConnection,
  serializer: CacheSerializer,
  key: string,
  tagKeys: readonly string[],
): Promise<unknown[]> {
  const keys = entryAndTagKeys(key, tagKeys);
  const c = conn.client ?? (await conn.connected('get'));
  let raws: (string | null)[];
  try {
    raws = await conn.guarded(c.isCluster ? clusterMget(c as Cluster, keys) : c.mget(keys));
  } catch (err) {
    throw conn.failure('get', err);
  }
  // Through the store's value pipeline (compression, encryption) like any read.
  const read = readBatch(serializer, raws, keys);
  const found = Array.isArray(read) ? read : await read;
  const value = found[0];
  if (value instanceof UnreadableEntry) throw value.error;
  return found;
}
