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
