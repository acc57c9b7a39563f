/**
 * Fast copies of values the memory store already holds. A held value is the store's own deep
 * copy (made and validated by `cloneValue` on write, never handed out), so its structure is
 * fixed: a copier specialised to that structure is a single object/array literal, about 30×
 * faster than a generic walk whose keyed property accesses go megamorphic.
 */

/** Deep-copies one held value. */
export type Copier = (held: unknown) => unknown;

/** Values beyond these bounds are copied by the generic walk, not compiled. */
const MAX_NODES = 400;
const MAX_ARRAY = 32;
const MAX_DEPTH = 12;
/** Compiled copiers by source, shared by entries of the same structure; dropped wholesale when full. */
const MAX_COMPILED = 256;
const compiled = new Map<string, Copier>();

/** Generic deep copy of a held value (no validation: it was validated when written). */
export function copyHeld(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const arr = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) arr[i] = copyHeld(value[i]);
    return arr;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const obj: Record<string, unknown> = {};
    const src = value as Record<string, unknown>;
    for (const k of Object.keys(src)) obj[k] = copyHeld(src[k]);
    return obj;
  }
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
  return new Uint8Array(value as Uint8Array);
}

/**
 * A copier specialised to the structure of `held`, or `copyHeld` when the value is too large
 * or too irregular to be worth compiling. Property names enter the generated source only as
 * JSON string literals, so no key can inject code.
 */
export function copierFor(held: unknown): Copier {
  if (typeof held !== 'object' || held === null) return copyHeld;
  const gen = new SourceGen();
  const expr = gen.expr(held, 's', 0);
  if (expr === undefined) return copyHeld;
  const source = `${gen.lines.join('\n')}\nreturn ${expr};`;
  let fn = compiled.get(source);
  if (!fn) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    fn = bindGeneric(source);
    compiled.set(source, fn);
  }
  return fn;
}

function bindGeneric(source: string): Copier {
  const raw = new Function('g', `return function copy(s) {\n${source}\n};`) as (g: Copier) => Copier;
  return raw(copyHeld);
}

class SourceGen {
  readonly lines: string[] = [];
  private nodes = 0;
  private vars = 0;

  /** Source of an expression copying the held value found in variable `ref`; undefined = give up. */
  expr(value: unknown, ref: string, depth: number): string | undefined {
    if (++this.nodes > MAX_NODES || depth > MAX_DEPTH) return undefined;
    if (typeof value !== 'object' || value === null) return ref;
    if (Array.isArray(value)) {
      if (value.length > MAX_ARRAY) return `g(${ref})`;
      const v = this.hoist(ref);
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) {
        const item = this.expr(value[i], `${v}[${i}]`, depth + 1);
        if (item === undefined) return undefined;
        items.push(item);
      }
      return `[${items.join(', ')}]`;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype) return `g(${ref})`;
    const keys = Object.keys(value);
    // `"__proto__": x` in a literal would set the prototype; held values never carry that key.
    if (keys.includes('__proto__')) return undefined;
    const v = this.hoist(ref);
    const props: string[] = [];
    const src = value as Record<string, unknown>;
    for (const k of keys) {
      const name = JSON.stringify(k);
      const prop = this.expr(src[k], `${v}[${name}]`, depth + 1);
      if (prop === undefined) return undefined;
      props.push(`${name}: ${prop}`);
    }
    return `{ ${props.join(', ')} }`;
  }

  /** Reads a container once into a local, so nested accesses do not repeat the path. */
  private hoist(ref: string): string {
    if (ref === 's') return ref;
    const name = `v${this.vars++}`;
    this.lines.push(`const ${name} = ${ref};`);
    return name;
  }
}
