// The memory store's byte accounting for `maxBytes`.

/**
 * A rough size in bytes of a value, for `maxBytes` accounting: strings count two bytes per
 * UTF-16 unit, numbers eight, objects a fixed overhead plus their content.
 */
export function estimateSize(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return 16 + value.length * 2;
    case 'number':
    case 'boolean':
    case 'undefined':
      return 8;
    case 'bigint':
      return 16 + value.toString(16).length;
    case 'object': {
      if (value === null) return 8;
      if (depth > 64) return 64;
      if (value instanceof Uint8Array) return 64 + value.byteLength;
      if (value instanceof Date) return 48;
      let size = 48;
      if (Array.isArray(value) || value instanceof Set) {
        for (const v of value) size += 8 + estimateSize(v, depth + 1);
      } else if (value instanceof Map) {
        for (const [k, v] of value) size += 16 + estimateSize(k, depth + 1) + estimateSize(v, depth + 1);
      } else {
        const src = value as Record<string, unknown>;
        for (const k in src) size += 16 + k.length * 2 + estimateSize(src[k], depth + 1);
      }
      return size;
    }
    default:
      return 8;
  }
}
