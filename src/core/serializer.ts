// The default wire format of the stores that keep text (Redis, file, custom stores).
import { CacheSerializationError } from './cache.errors';
import { PlainJsonChecks } from './plain-json';
import { isPlainOrInstance, PROTO, refuse, refuseObject } from './value-rules';

/** Marks a tagged (non-JSON) value inside the encoded tree. */
const T = '\u0000t';
type Encoded = null | boolean | number | string | Encoded[] | { [k: string]: Encoded };

function encodeInner(value: unknown, key: string | undefined, stack: object[]): Encoded {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
        ? value
        : { [T]: 'n', v: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { [T]: 'big', v: value.toString() };
    case 'undefined':
      return { [T]: 'u' };
    case 'function':
      return refuse(key, 'functions are not data');
    case 'symbol':
      return refuse(key, 'symbols are not data');
  }
  if (value === null) return null;
  const obj = value as object;
  if (stack.includes(obj)) refuse(key, 'it contains a circular reference');
  stack.push(obj);
  let out: Encoded;
  if (Array.isArray(obj)) {
    const arr: Encoded[] = new Array<Encoded>(obj.length);
    for (let i = 0; i < obj.length; i++) arr[i] = encodeInner(obj[i], key, stack);
    out = arr;
  } else if (obj instanceof Date) {
    out = { [T]: 'date', v: obj.getTime() };
  } else if (obj instanceof Map) {
    const entries: Encoded[] = [];
    for (const [k, v] of obj) entries.push([encodeInner(k, key, stack), encodeInner(v, key, stack)]);
    out = { [T]: 'map', v: entries };
  } else if (obj instanceof Set) {
    const items: Encoded[] = [];
    for (const v of obj) items.push(encodeInner(v, key, stack));
    out = { [T]: 'set', v: items };
  } else if (Buffer.isBuffer(obj)) {
    out = { [T]: 'buf', v: obj.toString('base64') };
  } else if (obj instanceof Uint8Array) {
    out = { [T]: 'u8', v: Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64') };
  } else if (isPlainOrInstance(obj)) {
    const res: { [k: string]: Encoded } = {};
    const src = obj as Record<string, unknown>;
    for (const k in src) {
      if (!Object.prototype.hasOwnProperty.call(src, k)) continue;
      if (k === PROTO) refuse(key, 'it has an own "__proto__" property (prototype pollution)');
      // Escape user keys that start with NUL so they can never be read as a type tag.
      res[k.charCodeAt(0) === 0 ? '\u0000' + k : k] = encodeInner(src[k], key, stack);
    }
    out = res;
  } else {
    refuseObject(obj, key);
  }
  stack.pop();
  return out;
}

function decodeInner(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) {
    const arr = new Array<unknown>(node.length);
    for (let i = 0; i < node.length; i++) arr[i] = decodeInner(node[i]);
    return arr;
  }
  return decodeObject(node as Record<string, unknown>, true);
}

/** An object of the tree; with `deep` false its values are taken as parsed (they hold no escape). */
function decodeObject(src: Record<string, unknown>, deep: boolean): unknown {
  const type = src[T];
  if (type !== undefined) return decodeTagged(type, src.v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    const name = k.charCodeAt(0) === 0 ? k.slice(1) : k;
    // Checked after unescaping: `"\u0000__proto__"` is how an own "__proto__" key would be written,
    // and assigning it would set the prototype. The encoder refuses such keys, so it is tampering.
    if (name === PROTO) throw new Error('own "__proto__" property in stored data');
    out[name] = deep ? decodeInner(src[k]) : src[k];
  }
  return out;
}

/**
 * Whether the only `\u` escapes of `text` (`J{"\u…`, the first at `escape`) sit in the first
 * key of its top-level object: an envelope (`{"\u0000\u0000ck":1,"v":…}`) around a plain value.
 * Every position before the first `":` after the key's opening quote is inside that key.
 */
function escapedFirstKeyOnly(text: string, escape: number): boolean {
  if (escape !== 3 || text.charCodeAt(1) !== 123 /* { */) return false;
  const keyEnd = text.indexOf('":', escape);
  return keyEnd > 0 && text.indexOf('\\u', keyEnd) < 0;
}

function decodeTagged(type: unknown, v: unknown): unknown {
  switch (type) {
    case 'u':
      return undefined;
    case 'n':
      return Number(v);
    case 'big':
      return BigInt(String(v));
    case 'date':
      // An invalid Date's time is NaN, which JSON writes as null; Number(null) would be 0 (1970).
      return new Date(v === null ? NaN : Number(v));
    case 'map':
      return new Map((v as unknown[][]).map(([k, val]) => [decodeInner(k), decodeInner(val)]));
    case 'set':
      return new Set((v as unknown[]).map(decodeInner));
    case 'buf':
      return Buffer.from(String(v), 'base64');
    case 'u8':
      return new Uint8Array(Buffer.from(String(v), 'base64'));
    default:
      throw new Error(`unknown type tag ${JSON.stringify(type)}`);
  }
}

/** Turns values into text and back. Pass your own to a store to change the wire format. */
export interface CacheSerializer {
  /** @throws CacheSerializationError naming `key` for values that cannot be stored */
  serialize(value: unknown, key?: string): string;
  /** @throws CacheSerializationError for text that is not a value of this format */
  deserialize(text: string, key?: string): unknown;
}

/** What `String(n)` writes for a finite number: optional sign, digits, fraction, exponent. */
const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:e[+-]\d+)?$/;

/** First character of format version 1 for every value that is not a plain finite number. */
const FORMAT_V1 = 'J';

/** The plain-JSON check of every value the default serializer writes (compiled per structure). */
const plainJson = new PlainJsonChecks();

/**
 * The default serializer, format version 1:
 * - a finite number (not -0) is its decimal text (`"42"`, `"-1.5"`), so Redis INCRBY works on it;
 * - anything else is `J` followed by JSON in which non-JSON types are tagged objects
 *   (`{"\u0000t":"date","v":1700000000000}`).
 * Deserialization only builds data: it never evaluates code and never sets a prototype.
 */
export const defaultSerializer: CacheSerializer = {
  serialize(value: unknown, key?: string): string {
    if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return String(value);
    // Plain JSON data (most cached values) is written as it is: the same text the walk produces.
    if (plainJson.isPlain(value)) return FORMAT_V1 + JSON.stringify(value);
    return FORMAT_V1 + JSON.stringify(encodeInner(value, key, []));
  },
  deserialize(text: string, key?: string): unknown {
    const first = text.charCodeAt(0);
    try {
      if (first === 74 /* J */) {
        const tree: unknown = JSON.parse(text.slice(1));
        // Type tags and escaped keys start with NUL, which JSON writes as \u0000: text with no
        // \u escape holds neither, and JSON.parse already built exactly the value; with escapes
        // only in the first top-level key (an envelope), only the top level is decoded. The walk
        // still runs for any "__proto__" key, which it refuses (a tampered store).
        if (text.includes('__proto__')) return decodeInner(tree);
        const escape = text.indexOf('\\u');
        if (escape < 0) return tree;
        return escapedFirstKeyOnly(text, escape)
          ? decodeObject(tree as Record<string, unknown>, false)
          : decodeInner(tree);
      }
      // Decimal text only, as String(number) writes it: Number() would also read "0x10", " 1", "1_0"...
      if (((first >= 48 && first <= 57) || first === 45) /* - */ && DECIMAL.test(text)) return Number(text);
    } catch (err) {
      throw new CacheSerializationError(`Stored value${forKey(key)} is corrupted: ${(err as Error).message}`, key, {
        cause: err,
      });
    }
    throw new CacheSerializationError(`Stored value${forKey(key)} is not in a known format`, key);
  },
};

function forKey(key: string | undefined): string {
  return key === undefined ? '' : ` for key ${JSON.stringify(key)}`;
}
