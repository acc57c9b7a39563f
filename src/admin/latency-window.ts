import { DURATION_BUCKETS, type StoreOperations } from '../core/operation-meter';

/** Merged duration buckets of every operation of a store (cumulative counts). */
export function mergedBuckets(store: StoreOperations | undefined): Float64Array {
  const out = new Float64Array(DURATION_BUCKETS.length + 1);
  if (!store) return out;
  for (const tally of store.operations.values()) {
    const b = tally.duration.buckets;
    for (let i = 0; i < out.length; i++) out[i] += b[i];
  }
  return out;
}

/**
 * The `q` quantile (0–1), in ms, of the operations counted between two cumulative bucket
 * snapshots, interpolated inside its bucket; `null` without samples.
 */
export function quantileMs(now: Float64Array, before: Float64Array | undefined, q: number): number | null {
  const counts = Array.from(now, (v, i) => v - (before?.[i] ?? 0));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    if (seen + counts[i] >= rank) {
      const lower = i === 0 ? 0 : DURATION_BUCKETS[i - 1];
      const upper = i < DURATION_BUCKETS.length ? DURATION_BUCKETS[i] : DURATION_BUCKETS[i - 1] * 2;
      const within = (rank - seen) / counts[i];
      return Math.round((lower + (upper - lower) * within) * 1e6) / 1e3;
    }
    seen += counts[i];
  }
  return Math.round(DURATION_BUCKETS[DURATION_BUCKETS.length - 1] * 1e6) / 1e3;
}

/** Total operations counted for a store (every operation and result). */
export function totalOperations(store: StoreOperations | undefined): number {
  let n = 0;
  if (!store) return n;
  for (const t of store.operations.values()) n += t.hit + t.miss + t.stale + t.ok + t.error;
  return n;
}
