import { StreamableFile } from '@nestjs/common';
import { stableHash } from '../keys/cache-key';
import { cacheControl, setResponseHeader, type HttpResponseLike, type TextMode } from './http-cache.platform';

/** A cached HTTP response. */
export interface HttpCacheEntry {
  status: number;
  headers: Record<string, string | string[]>;
  /** The handler's result; absent when it is kept as `json`. */
  body?: unknown;
  /** The body as JSON text, kept instead of `body` for routes answered as text. */
  json?: string;
  etag: string;
  /** When it was stored (ms since the epoch), for `Age` and `X-Cache: STALE`. */
  storedAt: number;
}

/** Why a response was not stored. */
export type NotStoredReason = 'stream' | 'empty' | 'status' | 'no-store' | 'private' | 'set-cookie';

/**
 * Headers never stored or replayed: per-connection ones, ones the server recomputes, cookies
 * (personal) and CORS headers (they depend on the requesting origin).
 */
const SKIPPED = new Set([
  'set-cookie',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'x-cache',
  'age',
  'x-powered-by',
  'server',
  'x-request-id',
]);

/** Statuses a shared cache may keep (a subset of RFC 9110's heuristically cacheable ones). */
const CACHEABLE_STATUS = new Set([200, 203, 300, 301, 308, 404, 410]);

/** Whether a handler's result is a stream (never cached: it can be read once). */
export function isStreamingBody(body: unknown): boolean {
  if (body instanceof StreamableFile) return true;
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return (
    typeof b.pipe === 'function' ||
    typeof b.getReader === 'function' ||
    typeof (b as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function' ||
    (typeof Response !== 'undefined' && body instanceof Response)
  );
}

/**
 * Where a header named `__proto__` is kept in an entry's `headers` record: stored values refuse an
 * own `__proto__` property (prototype pollution), and a plain assignment would drop it. A header
 * name cannot start with a space, so no real header collides.
 */
const STORED_PROTO = ' __proto__';

/** The header name a key of an entry's `headers` record stands for. */
export function headerName(stored: string): string {
  return stored === STORED_PROTO ? '__proto__' : stored;
}

/**
 * Turns the response the handler produced into an entry stored at `now` (the caches' clock), or
 * says why it must not be stored.
 * An ETag equal to `replayedEtag` is ignored: in a stale-while-revalidate refresh it is the one
 * replayed from the old entry onto this response, not the handler's.
 */
export function captureResponse(
  res: HttpResponseLike,
  body: unknown,
  now: number,
  replayedEtag?: string,
  toText?: (body: unknown) => string | undefined,
): HttpCacheEntry | NotStoredReason {
  if (isStreamingBody(body)) return 'stream';
  if (body === undefined) return 'empty';
  const status = res.statusCode;
  if (!CACHEABLE_STATUS.has(status)) return 'status';
  const all = res.getHeaders();
  const cc = cacheControl(all['cache-control']);
  if (cc.has('no-store')) return 'no-store';
  if (cc.has('private')) return 'private';
  if (all['set-cookie'] !== undefined) return 'set-cookie';
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(all)) {
    const lower = name.toLowerCase();
    if (value === undefined || SKIPPED.has(lower) || lower.startsWith('access-control-')) continue;
    headers[lower === '__proto__' ? STORED_PROTO : lower] = typeof value === 'number' ? String(value) : value;
  }
  if (replayedEtag !== undefined && headers.etag === replayedEtag) delete headers.etag;
  const etag = typeof headers.etag === 'string' ? headers.etag : `W/"${stableHash(body)}"`;
  const json = toText?.(body);
  return json === undefined
    ? { status, headers, body, etag, storedAt: now }
    : { status, headers, json, etag, storedAt: now };
}

/**
 * How a route in text mode turns an object body into the text its clients get: JSON text as
 * `res.json()` writes it with Express's defaults, or (Fastify) what the reply's serializer makes
 * of it, when the response's Content-Type is absent or JSON (Fastify serializes only then).
 * Undefined for anything else (kept as an object).
 */
export function textOf(
  mode: TextMode | undefined,
  res: HttpResponseLike,
): ((body: unknown) => string | undefined) | undefined {
  if (mode === undefined) return undefined;
  if (mode !== 'serialize') return toJsonText;
  const reply = res as HttpResponseLike & { serialize(body: unknown): unknown };
  return (body) => {
    const type = res.getHeader('content-type');
    if (type !== undefined && !String(type).includes('json')) return undefined;
    return toText(body, (b) => reply.serialize(b));
  };
}

function toJsonText(body: unknown): string | undefined {
  return toText(body, JSON.stringify);
}

function toText(body: unknown, serialize: (body: unknown) => unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  try {
    const text = serialize(body);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined; // BigInt or a cycle: kept as an object, Nest reports it when replying
  }
}

/**
 * What a route answers for a value read under its key: a stored response as it is; any other
 * value (written by a `@CachePut`, or by a provider method given the same key) is that route's
 * `200` body, as the handler returning it would be, with the ETag of its hash.
 */
export function asHttpEntry(value: unknown, now: number): HttpCacheEntry {
  if (isHttpEntry(value)) return value;
  return { status: 200, headers: {}, body: value, etag: `W/"${stableHash(value)}"`, storedAt: now };
}

/** Whether `value` has the shape of a stored response (what is read back is not checked by type). */
export function isHttpEntry(value: unknown): value is HttpCacheEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Partial<HttpCacheEntry>;
  return (
    typeof e.status === 'number' &&
    typeof e.etag === 'string' &&
    typeof e.storedAt === 'number' &&
    typeof e.headers === 'object' &&
    e.headers !== null &&
    ('body' in e || typeof e.json === 'string')
  );
}

/** The body of an entry as an object (entries kept as text are parsed). */
export function entryBody(entry: HttpCacheEntry): unknown {
  return entry.json === undefined ? entry.body : JSON.parse(entry.json);
}

/**
 * Writes a stored response's status and headers onto this request's response. A header the
 * response already has with that value (a route's `@Header()`, set again by Nest on every request)
 * is left as it is, so it keeps the case of its name as the miss sent it.
 */
export function replayResponse(res: HttpResponseLike, entry: HttpCacheEntry): void {
  res.status(entry.status);
  for (const [stored, value] of Object.entries(entry.headers)) {
    const name = headerName(stored);
    if (res.getHeader(name) !== value) setResponseHeader(res, name, value);
  }
}

/** `If-None-Match` against an ETag, with the weak comparison RFC 9110 prescribes for GET/HEAD. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return ifNoneMatch.split(',').some((candidate) => candidate.trim() === '*' || opaque(candidate) === wanted);
}

/** Adds names to the response's `Vary` header without repeating any. */
export function addVary(res: HttpResponseLike, names: readonly string[]): void {
  if (!names.length) return;
  const current = res.getHeader('vary');
  const existing = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const seen = new Set(existing.map((s) => s.toLowerCase()));
  const merged = [...existing, ...names.filter((n) => !seen.has(n.toLowerCase()))];
  setResponseHeader(res, 'Vary', merged.join(', '));
}
