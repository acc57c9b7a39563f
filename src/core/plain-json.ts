// Whether a value is plain JSON data, which the default serializer then writes with
// `JSON.stringify` alone (serializer.ts). The generic check walks the value with keyed loads that
// go megamorphic over the many objects of a value; values of a recurring structure are checked
// by code compiled for that structure instead (named loads, no `hasOwnProperty` call per key),
// which answers exactly what the generic check would for the parts that fit the structure and
// asks the generic check about the parts that do not.
import { PROTO } from './value-rules';

/** Past this depth the plain-JSON check gives up and the full walk decides (it detects cycles). */
const PLAIN_DEPTH = 64;

/**
 * Whether `JSON.stringify(value)` writes exactly what the serializer's tagging walk would:
 * strings, booleans, null, finite numbers other than -0, arrays without holes or `undefined`,
 * and objects whose prototype is `Object.prototype` with keys that need no escape; none with a
 * `toJSON` method (JSON.stringify would call it, the walk does not). It only reads.
 */
export function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= PLAIN_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype || Symbol.toStringTag in value) return false;
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    // Inherited keys (a polluted prototype) and NUL-led or "__proto__" keys take the walk.
    if (k.charCodeAt(0) === 0 || k === PROTO || !Object.prototype.hasOwnProperty.call(obj, k)) return false;
    if (!isPlainJson(obj[k], depth + 1)) return false;
  }
  return true;
}

/** A compiled check: 1 plain, 0 not plain, 2 the value's top level is not of this structure. */
type Check = (value: unknown, depth: number) => 0 | 1 | 2;

/** Structures larger or deeper than this leave the rest to the generic check. */
const MAX_NODES = 200;
const MAX_DEPTH = 12;
const MAX_KEYS = 64;
/** Array elements sampled for the element structure (all of them must agree). */
const SAMPLE_ITEMS = 4;
/** Structures tried, most recent first; beyond this the least recent is dropped. */
const MAX_RECENT = 4;
/** Longest run of generic checks between two attempts to compile a new structure. */
const MAX_BACKOFF = 1024;

type Node =
  | { k: 'leaf'; sig: string; type: 'string' | 'number' | 'boolean' | 'null' }
  | { k: 'any'; sig: string }
  | { k: 'obj'; sig: string; keys: string[]; props: Node[] }
  | { k: 'arr'; sig: string; elem: Node };

const ANY: Node = { k: 'any', sig: '?' };

/** The structure of a plain value (one the generic check accepted). */
function describe(value: unknown, depth: number, budget: { n: number }): Node {
  if (value === null) return { k: 'leaf', sig: 'l', type: 'null' };
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') {
    return { k: 'leaf', sig: type[0], type: type as 'string' | 'number' | 'boolean' };
  }
  if (type !== 'object' || ++budget.n > MAX_NODES || depth > MAX_DEPTH) return ANY;
  if (Array.isArray(value)) {
    let elem: Node = ANY;
    for (let i = 0; i < Math.min(value.length, SAMPLE_ITEMS); i++) {
      const item = describe(value[i], depth + 1, budget);
      if (i > 0 && item.sig !== elem.sig) return { k: 'arr', sig: '[?]', elem: ANY };
      elem = item;
    }
    return { k: 'arr', sig: `[${elem.sig}]`, elem };
  }
  const keys: string[] = [];
  for (const k in value as object) keys.push(k);
  if (keys.length > MAX_KEYS || keys.some((k) => k.charCodeAt(0) === 0 || k === PROTO)) return ANY;
  const src = value as Record<string, unknown>;
  const props = keys.map((k) => describe(src[k], depth + 1, budget));
  return { k: 'obj', sig: `{${keys.map((k, i) => `${JSON.stringify(k)}:${props[i].sig}`).join(',')}}`, keys, props };
}

/**
 * Source of the checks of `node` for the value in local `ref` at depth `d`, each returning 0
 * from the function when the value is not plain. Parts of another structure go to `g`.
 */
class Gen {
  readonly fns: string[] = [];
  readonly keyLists: string[][] = [];
  /** Factory-scope constants (the key lists), read once rather than per call. */
  readonly consts: string[] = [];
  private ids = 0;
  private readonly names = new Map<string, string>();

  /** Name of the function `(s, d) => 0 | 1 | 2` for values of an object or array `node`. */
  fn(node: Node & { k: 'obj' | 'arr' }): string {
    let name = this.names.get(node.sig);
    if (name) return name;
    name = `c${this.ids++}`;
    this.names.set(node.sig, name);
    const lines: string[] = [];
    if (node.k === 'arr') {
      lines.push(`if (!Array.isArray(s) || typeof s.toJSON === 'function') return 2;`);
      const item = this.local();
      const check: string[] = [];
      this.check(node.elem, item, 'd + 1', check);
      lines.push(`for (let i = 0; i < s.length; i++) { const ${item} = s[i]; ${check.join(' ')} }`);
    } else {
      const keys = this.keyLists.push(node.keys) - 1;
      this.consts.push(`const K${keys} = K[${keys}];`);
      lines.push(
        `if (typeof s !== 'object' || s === null || gp(s) !== OP || TT in s || typeof s.toJSON === 'function') return 2;`,
        `let n = 0; for (const k in s) if (k !== K${keys}[n++]) return 2;`,
        `if (n !== ${node.keys.length}) return 2;`,
      );
      node.keys.forEach((k, i) => {
        const v = this.local();
        lines.push(`const ${v} = s[${JSON.stringify(k)}];`);
        this.check(node.props[i], v, 'd + 1', lines);
      });
    }
    this.fns.push(`function ${name}(s, d) {\n${lines.join('\n')}\nreturn 1;\n}`);
    return name;
  }

  private check(node: Node, ref: string, d: string, lines: string[]): void {
    const generic = `!g(${ref}, ${d})`;
    switch (node.k) {
      case 'any':
        lines.push(`if (${generic}) return 0;`);
        return;
      case 'leaf': {
        const fits =
          node.type === 'null'
            ? `${ref} === null`
            : node.type === 'number'
              ? `typeof ${ref} === 'number' && ${ref} - ${ref} === 0 && (${ref} !== 0 || 1 / ${ref} > 0)`
              : `typeof ${ref} === '${node.type}'`;
        lines.push(`if (!(${fits}) && ${generic}) return 0;`);
        return;
      }
      default: {
        const r = this.local();
        lines.push(
          `const ${r} = ${this.fn(node)}(${ref}, ${d});`,
          `if (${r} === 0 || (${r} === 2 && ${generic})) return 0;`,
        );
      }
    }
  }

  private local(): string {
    return `v${this.ids++}`;
  }
}

function compile(root: Node & { k: 'obj' | 'arr' }): Check {
  const gen = new Gen();
  const name = gen.fn(root);
  const source = `${gen.consts.join('\n')}\n${gen.fns.join('\n')}\nreturn ${name};`;
  const factory = new Function('g', 'gp', 'OP', 'TT', 'K', source) as (
    generic: typeof isPlainJson,
    getProto: (o: object) => object | null,
    objectProto: object,
    toStringTag: symbol,
    keyLists: string[][],
  ) => Check;
  return factory(isPlainJson, Object.getPrototypeOf, Object.prototype, Symbol.toStringTag, gen.keyLists);
}

/**
 * Plain-JSON checks of the values one serializer writes: through the compiled checks of the
 * structures of recent plain values when the value's top level fits one, else the generic check,
 * which now and then has the value's structure compiled. Compiling backs off while compiled
 * structures go unused (values of ever-changing structure): at most one compile per
 * {@link MAX_BACKOFF} checks then.
 */
export class PlainJsonChecks {
  /** Structures described and compiled, values answered by a compiled check (for tests and diagnostics). */
  compiled = 0;
  hits = 0;
  described = 0;
  private readonly recent: { check: Check; hits: number }[] = [];
  private misses = 0;
  private every = 1;
  /** False once the runtime refused to generate code (a policy): the generic check only. */
  private canCompile = true;

  /** Exactly `isPlainJson(value, 0)`. */
  isPlain(value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return isPlainJson(value, 0);
    const recent = this.recent;
    for (let i = 0; i < recent.length; i++) {
      const r = recent[i].check(value, 0);
      if (r === 2) continue;
      const entry = recent[i];
      entry.hits++;
      this.hits++;
      if (i > 0) {
        recent.splice(i, 1);
        recent.unshift(entry);
      }
      return r === 1;
    }
    const plain = isPlainJson(value, 0);
    if (plain && this.canCompile && ++this.misses >= this.every) {
      this.misses = 0;
      this.learn(value);
    }
    return plain;
  }

  private learn(value: object): void {
    this.described++;
    const node = describe(value, 0, { n: 0 });
    if (node.k !== 'obj' && node.k !== 'arr') {
      // Nothing to compile at the top (too many keys): describing it again would not help.
      this.every = Math.min(this.every * 2, MAX_BACKOFF);
      return;
    }
    let check: Check;
    try {
      check = compile(node);
    } catch (err) {
      // `node --disallow-code-generation-from-strings` (or a similar policy): the generic check.
      if (!(err instanceof EvalError)) throw err;
      this.canCompile = false;
      return;
    }
    this.compiled++;
    this.recent.unshift({ check, hits: 0 });
    if (this.recent.length > MAX_RECENT) {
      const dropped = this.recent.pop()!;
      this.every = dropped.hits < 2 ? Math.min(this.every * 2, MAX_BACKOFF) : 1;
    }
  }
}
