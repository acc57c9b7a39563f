import { cloneValue, copyHeld } from './value-copy';

/** Deep-copies one held value. */
export type Copier = (held: unknown) => unknown;

/**
 * Compiled copiers for one value structure ("shape"), so the memory store can isolate values
 * without a generic walk whose keyed property accesses go megamorphic.
 *
 * - `write(value, key)` validates and deep-copies a caller's value in one pass. It returns
 *   {@link MISMATCH} as soon as the value leaves the shape (another key, an object where a
 *   scalar was, a function, a class instance of another prototype...); the caller then falls
 *   back to the generic `cloneValue`, which copies or refuses with the proper error. Parts the
 *   shape does not describe (Dates, Maps, irregular arrays) are handed to `cloneValue` itself.
 * - `read(held)` copies a value the store holds, which `write` (or `cloneValue`) produced, so
 *   it checks nothing.
 *
 * A shape is a guess taken from one sample: a wrong guess costs one failed check, never a
 * wrong copy. Property names enter the generated source only as JSON string literals or as
 * array elements passed in, so no key can inject code.
 */
export interface Shape {
  write(value: unknown, key: string | undefined): unknown;
  read: Copier;
}

/** What a shape's `write` returns for a value of another structure. */
export const MISMATCH: unknown = Object.freeze({ mismatch: true });

/** Shapes larger or deeper than this describe the rest as "anything" (generic copy). */
const MAX_NODES = 200;
const MAX_DEPTH = 12;
const MAX_KEYS = 128;
/** Array elements sampled to guess the element shape. */
const SAMPLE_ITEMS = 8;
/** Compiled shapes by signature, shared by every store; dropped wholesale when full. */
const MAX_COMPILED = 256;
const compiled = new Map<string, Shape>();
/** False once the runtime refused to generate code: every copy then takes the generic path. */
let canCompile = true;

/** Shape description: a primitive leaf, anything (generic), a plain/instance object, an array. */
type Node =
  | { k: 'p'; sig: string; hint: string }
  | { k: 'g'; sig: string }
  | { k: 'o'; sig: string; proto: object; keys: string[]; props: Node[] }
  | { k: 'a'; sig: string; elem: Node };

const G: Node = { k: 'g', sig: 'g' };

/** Prototype identities, so two classes with the same keys get two shapes. */
const protoIds = new WeakMap<object, number>();
let nextProtoId = 0;
function protoId(proto: object): number {
  let id = protoIds.get(proto);
  if (id === undefined) protoIds.set(proto, (id = nextProtoId++));
  return id;
}

/**
 * The shape of `value` (a value `cloneValue` accepted, or one the store holds), compiled;
 * `undefined` for primitives, which need no copy.
 */
export function shapeOf(value: unknown): Shape | undefined {
  if (typeof value !== 'object' || value === null || !canCompile) return undefined;
  const node = describe(value, 0, { n: 0 });
  let shape = compiled.get(node.sig);
  if (!shape) {
    try {
      shape = compile(node);
    } catch (err) {
      // `node --disallow-code-generation-from-strings` (or a similar policy): copy generically.
      if (!(err instanceof EvalError)) throw err;
      canCompile = false;
      return undefined;
    }
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(node.sig, shape);
  }
  return shape;
}

function describe(value: unknown, depth: number, budget: { n: number }): Node {
  // `hint`: the sample's type, checked first (a fast path; any primitive fits the shape).
  if (typeof value !== 'object' || value === null) return { k: 'p', sig: 'p', hint: typeof value };
  if (++budget.n > MAX_NODES || depth > MAX_DEPTH) return G;
  if (Array.isArray(value)) {
    let elem: Node | undefined;
    const n = Math.min(value.length, SAMPLE_ITEMS);
    for (let i = 0; i < n && elem !== G; i++) {
      const item = describe(value[i], depth + 1, budget);
      elem = elem === undefined ? item : merge(elem, item);
    }
    elem ??= G;
    return { k: 'a', sig: `[${elem.sig}]`, elem };
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  // Only what `cloneValue` copies as a plain object: no Date/Map/Set/buffers, no null prototype.
  if (proto === null || Object.prototype.toString.call(value) !== '[object Object]' || !isPlainData(value, proto)) {
    return G;
  }
  const keys = Object.keys(value);
  if (keys.length > MAX_KEYS || keys.includes('__proto__')) return G;
  // for..in must see exactly the own keys (no enumerable inherited ones) for the key check.
  let seen = 0;
  for (const k in value) {
    if (k !== keys[seen++]) return G;
  }
  const src = value as Record<string, unknown>;
  const props = keys.map((k) => describe(src[k], depth + 1, budget));
  const body = keys.map((k, i) => `${JSON.stringify(k)}:${props[i].sig}`).join(',');
  return { k: 'o', sig: `${protoId(proto)}{${body}}`, proto, keys, props };
}

function isPlainData(value: object, proto: object): boolean {
  if (proto === Object.prototype) return true;
  // A class instance is copied as its own enumerable properties, unless it looks like a Promise.
  return typeof (value as { then?: unknown }).then !== 'function';
}

/** One shape that both nodes fit, as precise as possible. */
function merge(a: Node, b: Node): Node {
  if (a.sig === b.sig) return a;
  if (a.k === 'a' && b.k === 'a') {
    const elem = merge(a.elem, b.elem);
    return { k: 'a', sig: `[${elem.sig}]`, elem };
  }
  if (a.k === 'o' && b.k === 'o' && a.proto === b.proto && sameKeys(a.keys, b.keys)) {
    const props = a.props.map((p, i) => merge(p, b.props[i]));
    const body = a.keys.map((k, i) => `${JSON.stringify(k)}:${props[i].sig}`).join(',');
    return { k: 'o', sig: `${protoId(a.proto)}{${body}}`, proto: a.proto, keys: a.keys, props };
  }
  return G;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/** `p(x)`: x is a value `cloneValue` keeps as it is (no object, function or symbol). */
function isPrimitive(x: unknown): boolean {
  const t = typeof x;
  return t === 'string' || t === 'number' || t === 'boolean' || x === null || t === 'undefined' || t === 'bigint';
}

/** Source of a test that is true when `ref` is not a primitive (checks the sample's type first). */
function primitiveCheck(node: Node & { k: 'p' }, ref: string): string {
  if (node.hint === 'object') return `${ref} !== null && !p(${ref})`;
  return `typeof ${ref} !== '${node.hint}' && !p(${ref})`;
}

function compile(root: Node): Shape {
  const gen = new Gen();
  const writeFn = gen.writeFunction(root);
  const readFn = gen.readFunction(root);
  const source = `${gen.consts.join('\n')}\n${gen.fns.join('\n')}\nreturn { write: ${writeFn}, read: ${readFn} };`;
  const factory = new Function('M', 'p', 'c', 'g', 'gp', 'PR', 'KS', source) as (
    mismatch: unknown,
    isPrim: (x: unknown) => boolean,
    clone: (v: unknown, key?: string) => unknown,
    copy: Copier,
    getProto: (o: object) => object | null,
    protos: object[],
    keyLists: string[][],
  ) => Shape;
  return factory(MISMATCH, isPrimitive, cloneValue, copyHeld, Object.getPrototypeOf, gen.protos, gen.keyLists);
}

/** Generates the functions of one shape; each array element shape gets its own function. */
class Gen {
  readonly fns: string[] = [];
  /** Factory-scope constants (prototypes and key lists), read once rather than per call. */
  readonly consts: string[] = [];
  readonly protos: object[] = [];
  readonly keyLists: string[][] = [];
  private ids = 0;
  private readonly writers = new Map<string, string>();
  private readonly readers = new Map<string, string>();

  /** Name of a function `(s, key) => copy | M` for values of `node`. */
  writeFunction(node: Node): string {
    let name = this.writers.get(node.sig);
    if (name) return name;
    name = `w${this.ids++}`;
    this.writers.set(node.sig, name);
    const lines: string[] = [];
    const expr = this.write(node, 's', lines);
    this.fns.push(`function ${name}(s, key) {\nlet n;\n${lines.join('\n')}\nreturn ${expr};\n}`);
    return name;
  }

  /** Name of a function `(s) => copy` for held values of `node`. */
  readFunction(node: Node): string {
    let name = this.readers.get(node.sig);
    if (name) return name;
    name = `r${this.ids++}`;
    this.readers.set(node.sig, name);
    const lines: string[] = [];
    const expr = this.read(node, 's', lines);
    this.fns.push(`function ${name}(s) {\n${lines.join('\n')}\nreturn ${expr};\n}`);
    return name;
  }

  /** Emits checks and copies of the value in local `ref`; returns the expression of the copy. */
  private write(node: Node, ref: string, lines: string[]): string {
    switch (node.k) {
      case 'p':
        lines.push(`if (${primitiveCheck(node, ref)}) return M;`);
        return ref;
      case 'g': {
        const v = this.local();
        lines.push(`const ${v} = c(${ref}, key);`);
        return v;
      }
      case 'a': {
        const out = this.local();
        const i = this.local();
        lines.push(`if (!Array.isArray(${ref})) return M;`, `const ${out} = new Array(${ref}.length);`);
        const elem = node.elem;
        let body: string;
        if (elem.k === 'p')
          body = `const x = ${ref}[${i}]; if (${primitiveCheck(elem, 'x')}) return M; ${out}[${i}] = x;`;
        else if (elem.k === 'g') body = `${out}[${i}] = c(${ref}[${i}], key);`;
        else
          body = `const x = ${this.writeFunction(elem)}(${ref}[${i}], key); if (x === M) return M; ${out}[${i}] = x;`;
        lines.push(`for (let ${i} = 0; ${i} < ${ref}.length; ${i}++) { ${body} }`);
        return out;
      }
      case 'o': {
        const proto = this.protos.push(node.proto) - 1;
        const keys = this.keyLists.push(node.keys) - 1;
        this.consts.push(`const PR${proto} = PR[${proto}], KS${keys} = KS[${keys}];`);
        lines.push(
          `if (typeof ${ref} !== 'object' || ${ref} === null || gp(${ref}) !== PR${proto}) return M;`,
          `n = 0; for (const k in ${ref}) if (k !== KS${keys}[n++]) return M;`,
          `if (n !== ${node.keys.length}) return M;`,
        );
        const args = node.keys.map((k, idx) => {
          const v = this.local();
          const name = JSON.stringify(k);
          lines.push(`const ${v} = ${ref}[${name}];`);
          return this.write(node.props[idx], v, lines);
        });
        const out = this.local();
        lines.push(`const ${out} = new ${this.holder(node)}(${args.join(', ')});`);
        return out;
      }
    }
  }

  private read(node: Node, ref: string, lines: string[]): string {
    switch (node.k) {
      case 'p':
        return ref;
      case 'g':
        return `g(${ref})`;
      case 'a': {
        if (node.elem.k === 'p') return `${ref}.slice()`;
        const out = this.local();
        const i = this.local();
        const item = node.elem.k === 'g' ? `g(${ref}[${i}])` : `${this.readFunction(node.elem)}(${ref}[${i}])`;
        lines.push(
          `const ${out} = new Array(${ref}.length);`,
          `for (let ${i} = 0; ${i} < ${ref}.length; ${i}++) ${out}[${i}] = ${item};`,
        );
        return out;
      }
      case 'o': {
        const props = node.keys.map((k, idx) => {
          const name = JSON.stringify(k);
          const child = node.props[idx];
          if (child.k === 'p') return `${name}: ${ref}[${name}]`;
          const v = this.local();
          lines.push(`const ${v} = ${ref}[${name}];`);
          return `${name}: ${this.read(child, v, lines)}`;
        });
        return `{ ${props.join(', ')} }`;
      }
    }
  }

  /** A constructor of held objects with `node`'s keys (constructed objects are never pretenured). */
  private holder(node: Node & { k: 'o' }): string {
    const name = `H${this.ids++}`;
    const params = node.keys.map((_, i) => `a${i}`);
    const body = node.keys.map((k, i) => `this[${JSON.stringify(k)}] = a${i};`).join(' ');
    this.fns.push(`function ${name}(${params.join(', ')}) { ${body} }`);
    return name;
  }

  private local(): string {
    return `v${this.ids++}`;
  }
}
