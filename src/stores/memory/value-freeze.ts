// The memory store's `isolation: 'freeze'`: the held copy is deep-frozen once, at write, and the
// same object is handed to every reader.

/**
 * Deep-freezes `value` (a private copy the store made: plain objects and arrays) and returns
 * true; returns false, freezing nothing, when it holds a part that freezing cannot protect (a
 * Map, Set, Date, Buffer or typed array: their contents change through methods, and a typed
 * array with elements cannot be frozen at all). Such values are copied on read instead.
 */
export function deepFreeze(value: object): boolean {
  if (!freezable(value, 0)) return false;
  freeze(value);
  return true;
}

/** Deeper than this, a value is treated as not freezable (copied on read; no stack overflow). */
const MAX_DEPTH = 64;

function freezable(value: object, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null && !freezable(v, depth + 1)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const src = value as Record<string, unknown>;
  for (const k of Object.keys(src)) {
    const v = src[k];
    if (typeof v === 'object' && v !== null && !freezable(v, depth + 1)) return false;
  }
  return true;
}

function freeze(value: object): void {
  const src = value as Record<string, unknown>;
  for (const k of Object.keys(src)) {
    const v = src[k];
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) freeze(v);
  }
  Object.freeze(value);
}
