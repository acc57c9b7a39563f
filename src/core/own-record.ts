// Records keyed by user data (keys, tags, store names). A plain `out[key] = value` with the key
// "__proto__" runs the prototype setter of Object.prototype: it sets (or ignores) the record's
// prototype instead of adding an entry. The other Object.prototype names ("constructor",
// "toString") are assigned as own properties, but read back inherited when absent, so lookups
// by user name go through `Object.hasOwn` or a Map.

import { PROTO } from './value-rules';

/**
 * `out[key] = value` as an own, enumerable, writable property, whatever `key` is. One string
 * compare per call: only "__proto__" takes `Object.defineProperty`, the rest a plain store.
 */
export function putOwn<T>(out: Record<string, T>, key: string, value: T): void {
  if (key === PROTO) Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  else out[key] = value;
}
