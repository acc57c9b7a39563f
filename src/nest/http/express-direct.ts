import { OutgoingMessage } from 'node:http';
import type { HttpResponseLike } from './http-cache.platform';

/**
 * An Express hit's headers written straight into the Node response's header table, as
 * `res.setHeader` writes them (`table[lower-case name] = [name, value]`, the table Node reads when
 * the headers leave), when nothing can observe the calls: the response's `setHeader` and
 * `getHeader` are Node's own (no override on the instance or on the app's response prototype) and
 * its headers have not left. `writeHead`, `end` and everything that acts as the response leaves
 * (on-headers, compression, `finish` listeners) are untouched: the hit still ends with `res.end`.
 *
 * Why: Express gives every request's `res` an object shape of its own (its prototype is set per
 * request), so each property name looked up on it misses V8's inline caches and walks the
 * prototype chain; `getHeader`/`setHeader` were looked up only by the hit, and each call also
 * validated and lower-cased a name the hit knows (docs/benchmarks.md, HTTP on Express).
 */

/** Node's header table: lower-case name to `[name as set, value]`. */
export type HeaderTable = Record<string, [name: string, value: number | string | string[]]>;

const nodeSetHeader = OutgoingMessage.prototype.setHeader;
const nodeGetHeader = OutgoingMessage.prototype.getHeader;

/**
 * The symbol under which this Node keeps a response's headers, when it keeps them the way this
 * file writes them (a null-prototype object of lower-case name to `[name, value]`), else
 * undefined: checked once, on a response of `make`'s, so a Node that changes its internals gets
 * `setHeader` calls instead of a header table it would not read (or a `__proto__` header that
 * would set a prototype).
 */
export function probeTableSlot(make: () => object = () => new OutgoingMessage()): symbol | undefined {
  try {
    const probe = make() as Partial<Pick<OutgoingMessage, 'setHeader'>>;
    probe.setHeader?.('X-Probe', 'v');
    const slot = Object.getOwnPropertySymbols(probe).find((s) => s.description === 'kOutHeaders');
    const table = slot === undefined ? undefined : (probe as Record<symbol, unknown>)[slot];
    if (table === null || typeof table !== 'object' || Object.getPrototypeOf(table) !== null) return undefined;
    const entry = (table as Record<string, unknown>)['x-probe'];
    return Array.isArray(entry) && entry.length === 2 && entry[0] === 'X-Probe' && entry[1] === 'v' ? slot : undefined;
  } catch {
    return undefined;
  }
}

const TABLE_SLOT = probeTableSlot();

/**
 * The symbol of Node's header table on this response when its header methods are Node's own,
 * else undefined (headers then go through `setHeader`). Decided once per route: the app's
 * response prototype is the same for every request; instance overrides are checked per request
 * ({@link directTable}).
 */
export function headerTableSlot(res: object): symbol | undefined {
  const r = res as Partial<Pick<OutgoingMessage, 'setHeader' | 'getHeader'>>;
  if (r.setHeader !== nodeSetHeader || r.getHeader !== nodeGetHeader) return undefined;
  const slot = TABLE_SLOT;
  if (slot === undefined || !Object.getOwnPropertySymbols(res).includes(slot)) return undefined;
  const table = (res as Record<symbol, unknown>)[slot];
  return table === null || (typeof table === 'object' && Object.getPrototypeOf(table) === null) ? slot : undefined;
}

/**
 * This response's header table (created empty, as `setHeader` would, when none is set yet), or
 * undefined when it may not be written directly: a header method overridden on the instance, or
 * headers already sent (`setHeader` then throws as it always did).
 */
export function directTable(res: object, slot: symbol): HeaderTable | undefined {
  const r = res as Record<symbol | string, unknown>;
  if (r._header || Object.hasOwn(res, 'setHeader') || Object.hasOwn(res, 'getHeader')) return undefined;
  const table = r[slot] as HeaderTable | null | undefined;
  if (table === undefined) return undefined;
  if (table !== null) return table;
  const fresh: HeaderTable = Object.create(null) as HeaderTable;
  r[slot] = fresh;
  return fresh;
}

/** The Express response methods a hit uses (the Node response, Express's prototype on top). */
export interface ExpressResponse extends HttpResponseLike {
  setHeader(name: string, value: number | string | string[]): unknown;
  end(body?: string): unknown;
}

/** What an Express hit sends: an entry made ready (`Ready` in http-cache.hit.ts). */
export interface ExpressHit {
  entry: { status: number; etag: string; json: string };
  head: Array<[name: string, value: string | string[]]>;
  contentType: string;
  contentLength: string;
}

/**
 * Writes a hit the way `res.setHeader` calls then `res.end` would: the stored headers the response
 * does not already have with that value, then `Age`, `X-Cache`, `ETag`, `Content-Type` and (without
 * `Transfer-Encoding`) `Content-Length`; into the header table directly when `slot` is given and
 * {@link directTable} allows it.
 */
export function sendExpressHit(
  r: ExpressResponse,
  method: string,
  { entry, head, contentType, contentLength }: ExpressHit,
  age: string,
  slot: symbol | undefined,
): void {
  // `statusCode` is read as the headers leave anyway; written only when Nest's default differs.
  if (r.statusCode !== entry.status) r.statusCode = entry.status;
  const t = slot && directTable(r, slot);
  if (t) {
    // Stored names are lower case and were valid when the miss set them.
    for (const [name, value] of head) if (t[name]?.[1] !== value) t[name] = [name, value];
    t.age = ['Age', age];
    t['x-cache'] = ['X-Cache', 'HIT'];
    t.etag = ['ETag', entry.etag];
    t['content-type'] = ['Content-Type', contentType];
    if (t['transfer-encoding'] === undefined) t['content-length'] = ['Content-Length', contentLength];
  } else {
    for (const [name, value] of head) if (r.getHeader(name) !== value) r.setHeader(name, value);
    r.setHeader('Age', age);
    r.setHeader('X-Cache', 'HIT');
    r.setHeader('ETag', entry.etag);
    r.setHeader('Content-Type', contentType);
    if (r.getHeader('transfer-encoding') === undefined) r.setHeader('Content-Length', contentLength);
  }
  if (method === 'HEAD') r.end();
  else r.end(entry.json);
}
