/**
 * Entries that carry metadata (tags, a freshness deadline for stale-while-revalidate) are
 * stored wrapped in an envelope: a plain object with a NUL-prefixed marker key, so it survives
 * every serializer. A user value that happens to carry the marker key is wrapped too, which
 * keeps the two apart.
 */
export const ENVELOPE = '\u0000ck';

export interface Envelope {
  [ENVELOPE]: 1;
  /** The user's value. */
  v: unknown;
  /** Tag name → tag version seen when the entry was written. */
  t?: Record<string, string>;
  /** Epoch ms after which the value is stale (served only by remember with staleTtl). */
  f?: number;
}

export function isEnvelope(raw: unknown): raw is Envelope {
  return typeof raw === 'object' && raw !== null && ENVELOPE in raw;
}

/** Wraps a value when it needs metadata (or looks like an envelope itself); else returns it. */
export function wrap(value: unknown, tags?: Record<string, string>, freshUntil?: number): unknown {
  const hasTags = tags !== undefined && Object.keys(tags).length > 0;
  if (!hasTags && freshUntil === undefined && !isEnvelope(value)) return value;
  const env: Envelope = { [ENVELOPE]: 1, v: value };
  if (hasTags) env.t = tags;
  if (freshUntil !== undefined) env.f = freshUntil;
  return env;
}

/**
 * `touch` of a stale-while-revalidate entry: the envelope with its fresh part reset to `ttlMs`
 * from `now`, and the store TTL that keeps its stale window (what was left of the hard TTL
 * `hardMs` beyond the old fresh part) after the new fresh part.
 */
export function retouch(
  env: Envelope & { f: number },
  ttlMs: number | undefined,
  hardMs: number | undefined,
  now: number,
): { env: Envelope; storeTtlMs: number | undefined } {
  const staleMs = hardMs === undefined || hardMs === Infinity ? 0 : Math.max(0, hardMs - (env.f - now));
  const freshUntil = ttlMs === undefined ? undefined : now + ttlMs;
  const next: Envelope = { ...env, f: freshUntil };
  if (freshUntil === undefined) delete next.f;
  return { env: next, storeTtlMs: ttlMs === undefined ? undefined : ttlMs + staleMs };
}
