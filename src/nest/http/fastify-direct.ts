import type { ServerResponse } from 'node:http';

/**
 * A Fastify hit written straight to the Node response, as `reply.send` writes a string payload
 * when nothing can change it on the way out: no `onSend` hook on the route (HEAD routes have one,
 * @fastify/compress adds one), no trailers, no reply serializer, HTTP/1 (HTTP/2 writes large
 * payloads in chunks). Then `reply.send` only works out the Content-Type's charset and the
 * Content-Length, which the hit has worked out once per entry, and writes the reply's headers with
 * `writeHead`; done here, the hit skips its checks, header parsing and lower-casing (5-10% of the
 * server's CPU per hit in the bench, docs/benchmarks.md). `onResponse` hooks and Fastify's logging
 * still run (they listen for the response's `finish`); `reply.sent` is true afterwards.
 */

/** The Fastify internals a direct send reads: Fastify's own symbols, found by their description. */
export interface FastifySlots {
  /** The reply's headers, which `reply.send` passes to `writeHead`. */
  headers: symbol;
  trailers: symbol;
  serializer: symbol;
  /** The route context on the request (its `onSend` hooks). */
  context: symbol;
}

/** What a direct send needs of a Fastify reply and request. */
export interface FastifyParts {
  reply: object;
  raw: ServerResponse;
  req: object;
}

/** The slots of a Fastify reply/request pair, or undefined when one is missing (not Fastify 4/5). */
export function fastifySlots(reply: object, req: object): FastifySlots | undefined {
  const find = (o: object, description: string) =>
    Object.getOwnPropertySymbols(o).find((s) => s.description === description);
  const headers = find(reply, 'fastify.reply.headers');
  const trailers = find(reply, 'fastify.reply.trailers');
  const serializer = find(reply, 'fastify.reply.serializer');
  const context = find(req, 'fastify.context');
  if (!headers || !trailers || !serializer || !context) return undefined;
  return { headers, trailers, serializer, context };
}

type Slots = Record<symbol, unknown>;

/**
 * The reply's headers when this response may be written directly (see the file's comment), else
 * undefined: the caller sends through `reply.send`.
 */
export function directHeaders(
  slots: FastifySlots,
  { reply, raw, req }: FastifyParts,
): Record<string, string | string[] | number> | undefined {
  const r = reply as Slots;
  if (r[slots.trailers] !== null || r[slots.serializer] !== null || raw.headersSent) return undefined;
  const context = (req as Slots)[slots.context] as { onSend?: unknown } | undefined;
  if (context?.onSend !== null) return undefined;
  if ((raw.req as { httpVersionMajor?: number } | undefined)?.httpVersionMajor !== 1) return undefined;
  const headers = r[slots.headers];
  return typeof headers === 'object' && headers !== null
    ? (headers as Record<string, string | string[] | number>)
    : undefined;
}
