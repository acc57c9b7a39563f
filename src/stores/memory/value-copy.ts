// The memory store's value isolation, both directions side by side: `cloneValue` validates
// and copies what is written (the generic walk; compiled shapes in shape-compiler.ts take over
// for recurring structures), `copyHeld` copies what is read (no validation: it was validated
// when written).
import { isPlainOrInstance, PROTO, refuse, refuseObject } from '../../core/value-rules';

/**
 * Deep-copies a value for the memory store, refusing what no store could keep.
 * Strings, numbers, booleans, null and bigint are returned as they are.
 *
 * @throws CacheSerializationError naming `key`
 */
export function cloneValue<T>(value: T, key?: string): T {
  if (typeof value !== 'object' || value === null) return checkScalar(value, key);
  return cloneObject(value, key, []) as T;
}

function checkScalar<T>(value: T, key: string | undefined): T {
  const type = typeof value;
  if (type === 'function') refuse(key, 'functions are not data');
  if (type === 'symbol') refuse(key, 'symbols are not data');
  return value;
}

function cloneInner(value: unknown, key: string | undefined, stack: object[]): unknown {
  if (typeof value !== 'object' || value === null) return checkScalar(value, key);
  return cloneObject(value, key, stack);
}

function cloneObject(value: object, key: string | undefined, stack: object[]): unknown {
  if (stack.includes(value)) refuse(key, 'it contains a circular reference');
  stack.push(value);
  let out: unknown;
  if (Array.isArray(value)) {
    const arr = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) arr[i] = cloneInner(value[i], key, stack);
    out = arr;
  } else if (value instanceof Date) {
    out = new Date(value.getTime());
  } else if (value instanceof Map) {
    const map = new Map<unknown, unknown>();
    for (const [k, v] of value) map.set(cloneInner(k, key, stack), cloneInner(v, key, stack));
    out = map;
  } else if (value instanceof Set) {
    const set = new Set<unknown>();
    for (const v of value) set.add(cloneInner(v, key, stack));
    out = set;
  } else if (Buffer.isBuffer(value)) {
    out = Buffer.from(value);
  } else if (value instanceof Uint8Array) {
    out = new Uint8Array(value);
  } else if (isPlainOrInstance(value)) {
    const obj: Record<string, unknown> = {};
    const src = value as Record<string, unknown>;
    for (const k in src) {
      if (!Object.prototype.hasOwnProperty.call(src, k)) continue;
      if (k === PROTO) refuse(key, 'it has an own "__proto__" property (prototype pollution)');
      obj[k] = cloneInner(src[k], key, stack);
    }
    out = obj;
  } else {
    refuseObject(value, key);
  }
  stack.pop();
  return out;
}

/** Generic deep copy of a held value (no validation: it was validated when written). */
export function copyHeld(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const arr = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) arr[i] = copyHeld(value[i]);
    return arr;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) return copyPlain(value);
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Map) {
    const map = new Map<unknown, unknown>();
    for (const [k, v] of value) map.set(copyHeld(k), copyHeld(v));
    return map;
  }
  if (value instanceof Set) {
    const set = new Set<unknown>();
    for (const v of value) set.add(copyHeld(v));
    return set;
  }
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  // A held object built by a compiled shape (its own constructor): copied as a plain object.
  return copyPlain(value);
}

function copyPlain(value: object): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  const src = value as Record<string, unknown>;
  for (const k of Object.keys(src)) obj[k] = copyHeld(src[k]);
  return obj;
}
