import { createHash } from 'node:crypto';
import { ROUTE_ARGS_METADATA, RESPONSE_PASSTHROUGH_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { CacheableOptions } from '../interfaces/cacheable-options.interface';
import { resolveKey } from '../keys/cache-key';

/** The parts of an Express request or Fastify request the HTTP cache reads. */
export interface HttpRequestLike {
  method: string;
  url: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, unknown>;
  query?: unknown;
  body?: unknown;
  user?: unknown;
}

/** The parts of an Express response or Fastify reply the HTTP cache uses. */
export interface HttpResponseLike {
  statusCode: number;
  status(code: number): unknown;
  getHeaders(): Record<string, number | string | string[] | undefined>;
  getHeader(name: string): number | string | string[] | undefined;
  setHeader?(name: string, value: number | string | string[]): unknown;
  header?(name: string, value: number | string | string[]): unknown;
}

/**
 * How a route's object bodies can be kept as text, decided once per route (only for routes whose
 * interceptor is the outermost one, so nothing but the framework sees what it returns):
 * - `send` (Express): `res.json()` is plain `JSON.stringify` then `res.send()`, so JSON text with
 *   a JSON Content-Type goes out as the same bytes;
 * - `parse` (Express with a JSON replacer, spacing or escaping): text kept, hits hand Express an
 *   object to format;
 * - `serialize` (Fastify, when no `preSerialization` hook applies to the route): the text is what
 *   the reply's own serializer makes of the body (`reply.serialize`: custom serializers and
 *   response schemas included), sent as it is;
 * - undefined: entries keep objects (Fastify with `preSerialization` hooks, unknown platforms).
 */
export type TextMode = 'send' | 'parse' | 'serialize';

export function textMode(req: HttpRequestLike, res: HttpResponseLike): TextMode | undefined {
  const app = (req as { app?: { get?(setting: string): unknown } }).app;
  if (typeof res.setHeader === 'function' && typeof app?.get === 'function') {
    const defaults =
      app.get('json replacer') === undefined && app.get('json spaces') === undefined && !app.get('json escape');
    return defaults ? 'send' : 'parse';
  }
  const reply = res as { serialize?: unknown; send?: unknown; raw?: unknown };
  if (typeof reply.serialize !== 'function' || typeof reply.send !== 'function' || reply.raw === undefined) return;
  // Fastify's route context (an internal symbol): its preSerialization hooks would change the body.
  const symbol = Object.getOwnPropertySymbols(req).find((s) => s.description === 'fastify.context');
  const context = symbol && (req as unknown as Record<symbol, { preSerialization?: unknown } | undefined>)[symbol];
  return context && context.preSerialization === null ? 'serialize' : undefined;
}

/** Sets a response header on Express (`setHeader`) or Fastify (`header`). */
export function setResponseHeader(res: HttpResponseLike, name: string, value: number | string | string[]): void {
  if (typeof res.setHeader === 'function') res.setHeader(name, value);
  else res.header?.(name, value);
}

/** One request header as a string (joined when repeated). */
export function requestHeader(req: HttpRequestLike, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Default key of a cached response: `http:GET:<path>?<query>`. The path is normalised (repeated
 * and trailing slashes dropped, percent-encoding made canonical); query parameters are sorted by
 * name, keeping the order of a repeated parameter's values, which the handler may rely on. HEAD
 * shares GET's entry.
 */
export function defaultHttpKey(req: HttpRequestLike): string {
  const raw = req.originalUrl ?? req.url;
  const q = raw.indexOf('?');
  const path = normalisePath(q === -1 ? raw : raw.slice(0, q));
  if (q === -1) return `http:GET:${path}`;
  const params = [...new URLSearchParams(raw.slice(q + 1))];
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  return `http:GET:${path}${query ? `?${query}` : ''}`;
}

/**
 * The entry's key: the route's `key` (template or function, given the request and `context`) or
 * the default one with the route's `version` (header, media-type or custom versioning: see
 * `RouteFacts`), plus the `vary` suffix.
 */
export function httpKey(
  options: CacheableOptions,
  req: HttpRequestLike,
  context: unknown,
  version: string | undefined,
  getRoot = () => templateRoot(req),
): string {
  const key = options.key
    ? resolveKey(options.key, getRoot(), [req, context])
    : version === undefined
      ? defaultHttpKey(req)
      : `${defaultHttpKey(req)}#v:${version}`;
  return key + varySuffix(req, options.vary);
}

/** A path of non-empty segments of unreserved characters only: already in canonical form. */
const CANONICAL_PATH = /^(?:\/[A-Za-z0-9_.~-]+)+$/;

function normalisePath(path: string): string {
  if (CANONICAL_PATH.test(path)) return path;
  const segments = path.split('/').filter((s) => s.length > 0);
  return '/' + segments.map(canonicalSegment).join('/');
}

function canonicalSegment(segment: string): string {
  try {
    return encodeURIComponent(decodeURIComponent(segment));
  } catch {
    return segment; // malformed escapes: keep as sent
  }
}

/** The root that controller key and tag templates read: `{params.id}`, `{query.page}`... */
export function templateRoot(req: HttpRequestLike): Record<string, unknown> {
  return { params: req.params ?? {}, query: req.query ?? {}, body: req.body, headers: req.headers, user: req.user };
}

/**
 * Whether the request carries credentials that the route has not said how to key: such a
 * response must not be shared between users.
 */
export function hasUnkeyedCredentials(req: HttpRequestLike, vary: readonly string[] | undefined): boolean {
  const { authorization, cookie } = req.headers;
  if (authorization === undefined && cookie === undefined) return false;
  const listed = new Set((vary ?? []).map((h) => h.toLowerCase()));
  return (
    (authorization !== undefined && !listed.has('authorization')) || (cookie !== undefined && !listed.has('cookie'))
  );
}

/** Key suffix for `vary` headers: their values are hashed, so credentials never appear in keys. */
export function varySuffix(req: HttpRequestLike, vary: readonly string[] | undefined): string {
  if (!vary?.length) return '';
  const parts = [...vary]
    .map((h) => h.toLowerCase())
    .sort()
    .map((h) => `${h}=${requestHeader(req, h) ?? ''}`);
  return `#vary:${createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 22)}`;
}

/** Directives of a `Cache-Control` (or `Pragma`) header, lower-cased. */
const NO_DIRECTIVES: ReadonlySet<string> = new Set();

export function cacheControl(value: number | string | string[] | undefined): ReadonlySet<string> {
  if (value === undefined) return NO_DIRECTIVES;
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return new Set(
    text
      .split(',')
      .map((d) => d.split('=')[0].trim().toLowerCase())
      .filter(Boolean),
  );
}

/** Whether the handler writes the response itself (`@Res()` without passthrough, `@Next()`). */
export function usesRawResponse(type: object, method: string): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, method) ?? {}) as Record<string, unknown>;
  const keys = Object.keys(args);
  if (keys.some((k) => k.startsWith(`${RouteParamtypes.NEXT}:`))) return true;
  if (!keys.some((k) => k.startsWith(`${RouteParamtypes.RESPONSE}:`))) return false;
  return Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, type, method) !== true;
}
