import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './redis-client';
import { groupBySlot } from './redis.slots';

/** MGET on a Cluster: one MGET per slot, in parallel, answers in the order of `keys`. */
export function clusterMget(c: Cluster, keys: readonly string[]): Promise<(string | null)[]> {
  const groups = groupBySlot(keys);
  if (groups.length === 1) return c.mget(keys as string[]);
  return Promise.all(groups.map((g) => c.mget(g.map((i) => keys[i])))).then((parts) => {
    const out = new Array<string | null>(keys.length);
    groups.forEach((g, j) => g.forEach((i, n) => (out[i] = parts[j][n])));
    return out;
  });
}

export function setWithTtl(c: RedisClient, key: string, text: string, ttlMs: number | undefined): Promise<unknown> {
  return ttlMs === undefined ? c.set(key, text) : c.set(key, text, 'PX', px(ttlMs));
}

/** Deletes every key matching `pattern` on one node, a SCAN batch at a time. */
export async function clearNode(node: Redis, pattern: string, count: number, cluster: boolean): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    if (keys.length === 0) continue;
    // On a Cluster node, one UNLINK may not span slots; a pipeline of single-key UNLINKs may.
    if (cluster) throwFirst(await node.pipeline(keys.map((k) => ['unlink', k])).exec());
    else await node.unlink(...keys);
  } while (cursor !== '0');
}

export function throwFirst(results: [Error | null, unknown][] | null): void {
  if (!results) throw new Error('the pipeline was aborted');
  for (const [err] of results) if (err) throw err;
}

/** Whole milliseconds, at least 1 (PX refuses 0). */
export function px(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}

/** Escapes glob characters, so a namespace such as `a*` matches only itself in SCAN MATCH. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]^-]/g, '\\$&');
}
