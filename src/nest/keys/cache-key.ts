import { createHash } from 'node:crypto';
import { CacheArgumentError } from '../../core/cache.errors';

/**
 * Builds a cache key from a call: receives the method's arguments on providers, and
 * `(request, context)` on controller handlers.
 */
export type CacheKeyFunction = (...args: never[]) => string;

/** A key template such as `'user:{0}'`, `'user:{0.id}'`, `'page:{query.page}'`, or a key function. */
export type CacheKeyOption = string | CacheKeyFunction;

type Part = string | { path: string[] };
const compiled = new Map<string, Part[]>();
const PLACEHOLDER = /\{([^{}]+)\}/g;

function compile(template: string): Part[] {
  let parts = compiled.get(template);
  if (parts) return parts;
  parts = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push({ path: m[1].trim().split('.') });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  // Templates come from decorators: a bounded set, so the memo cannot grow without limit.
  compiled.set(template, parts);
  return parts;
}

/** Whether a string contains `{...}` placeholders. */
export function isTemplate(text: string): boolean {
  return compile(text).some((p) => typeof p !== 'string');
}

/**
 * Fills a template from `root` (the argument array on providers; `{ params, query, body,
 * headers, user }` on controllers). A missing value renders as an empty string; objects render
 * as their stable hash, so `'{0}'` on an object argument still gives a short, stable key.
 */
export function renderTemplate(template: string, root: unknown): string {
  let out = '';
  for (const part of compile(template)) {
    if (typeof part === 'string') out += part;
    else out += formatValue(walk(root, part.path));
  }
  return out;
}

/** Resolves a key option (template or function) for one call. */
export function resolveKey(option: CacheKeyOption, root: unknown, fnArgs: readonly unknown[]): string {
  const key =
    typeof option === 'function' ? (option as (...a: unknown[]) => unknown)(...fnArgs) : renderTemplate(option, root);
  if (typeof key !== 'string' || key.length === 0) {
    throw new CacheArgumentError(`A cache key function must return a non-empty string, got ${String(key)}`);
  }
  return key;
}

/** The default key of a provider method: `ClassName.method:<stable hash of args>`. */
export function defaultMethodKey(className: string, method: string, args: readonly unknown[]): string {
  return `${className}.${method}:${stableHash(args)}`;
}

/** A short hash that is the same for structurally equal values (object key order ignored). */
export function stableHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('base64url').slice(0, 22);
}

/** A deterministic text form of a value: sorted object keys, typed Date/Map/Set/BigInt/Buffer. */
export function stableStringify(value: unknown, seen: object[] = []): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'u';
    case 'function':
    case 'symbol':
      return `[${typeof value}]`;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.includes(obj)) return '[circular]';
  seen.push(obj);
  try {
    if (obj instanceof Date) return `D${obj.getTime()}`;
    if (obj instanceof Uint8Array)
      return `B${Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64')}`;
    if (Array.isArray(obj)) return `[${obj.map((v) => stableStringify(v, seen)).join(',')}]`;
    if (obj instanceof Map) {
      const items = [...obj.entries()].map(([k, v]) => `${stableStringify(k, seen)}:${stableStringify(v, seen)}`);
      return `M{${items.sort().join(',')}}`;
    }
    if (obj instanceof Set)
      return `S{${[...obj]
        .map((v) => stableStringify(v, seen))
        .sort()
        .join(',')}}`;
    const keys = Object.keys(obj).sort();
    const body = keys.map((k) => `${JSON.stringify(k)}:${stableStringify((obj as Record<string, unknown>)[k], seen)}`);
    return `{${body.join(',')}}`;
  } finally {
    seen.pop();
  }
}

function walk(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function formatValue(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return stableHash(value);
}
