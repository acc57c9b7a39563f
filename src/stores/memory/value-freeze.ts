// The memory store's `isolation: 'freeze'`: the held copy is deep-frozen once, at write, and the
// same object is handed to every reader.

/**
 * A deep-frozen plain copy of `held` (a private copy the store made), or `undefined` when it
 * holds a part that freezing cannot protect (a Map, Set, Date, Buffer or typed array: their contents change through methods, and a
 * typed array with elements cannot be frozen at all; such values are copied on read instead). Built by this module's own
 * functions, never by the compiled copiers of clone mode: freezing objects made at their
 * allocation sites changes maps those sites share, which deoptimised every clone-mode read in
 * the process (measured: a clone store's get fell from 0.25x to 0.09x lru-cache with a freeze
 * store beside it).
 */
export function frozenCopy(held: object): object | undefined {
  if (!freezable(held, 0)) return undefined;
  return copyAndFreeze(held) as object;
}

function copyAndFreeze(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  let out: unknown[] | Record<string, unknown>;
  if (Array.isArray(value)) {
    const arr: unknown[] = [];
    for (let i = 0; i < value.length; i++) arr.push(copyAndFreeze(value[i]));
    out = arr;
  } else {
    const obj: Record<string, unknown> = {};
    const src = value as Record<string, unknown>;
    for (const k of Object.keys(src)) obj[k] = copyAndFreeze(src[k]);
    out = obj;
  }
  return Object.freeze(out);
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
  // Held copies are plain data: objects (plain, or of a compiled shape's constructors), arrays,
  // and the parts freezing cannot protect.
  if (value instanceof Map || value instanceof Set || value instanceof Date || ArrayBuffer.isView(value)) return false;
  const src = value as Record<string, unknown>;
  for (const k of Object.keys(src)) {
    const v = src[k];
    if (typeof v === 'object' && v !== null && !freezable(v, depth + 1)) return false;
  }
  return true;
}
