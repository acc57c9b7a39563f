import type { ServerResponse } from 'node:http';
import { headerName, isHttpEntry, type HttpCacheEntry } from './http-cache.entry';
import { sendExpressHit, type ExpressResponse } from './express-direct';
import { directHeaders, type FastifySlots } from './fastify-direct';
import type { HttpRequestLike, HttpResponseLike, TextMode } from './http-cache.platform';

/** An entry made ready to send: what the framework would add to it, worked out once. */
export interface Ready {
  entry: Pick<HttpCacheEntry, 'etag' | 'storedAt' | 'status'> & { json: string };
  /** The stored headers, replayed as `replayResponse` does. */
  head: Array<[name: string, value: string | string[]]>;
  /**
   * The Content-Type `res.send` (Express) would give this text, charset added; on Fastify
   * `reply.send` gives JSON types the same.
   */
  contentType: string;
  /** Its byte length (`res.send` and `reply.send` set it). */
  contentLength: string;
  bytes: number;
  /** Fastify: the stored Content-Type a direct write may replace with `contentType` (null: none may). */
  fastifyType: string | undefined | null;
}

/** The `Age` header of an entry at `now` (whole seconds since it was stored). */
export function ageOf(entry: Pick<HttpCacheEntry, 'storedAt'>, now: number): string {
  return String(Math.max(0, Math.floor((now - entry.storedAt) / 1000)));
}

/** At most this many entries are kept ready; the oldest is dropped to make room. */
const READY_MAX = 1000;

/** The Fastify reply methods a hit uses. */
interface FastifyReply extends HttpResponseLike {
  raw: ServerResponse;
  header(name: string, value: number | string | string[]): unknown;
  send(body: string): unknown;
}

/** Answers hits from entries kept as text; one per interceptor (per app). */
export class ReadyHits {
  private readonly ready = new Map<string, Ready>();

  /** `entry` (read under `key`) made ready to send, or undefined when it cannot be sent from here. */
  prepare(key: string, entry: unknown): Ready | undefined {
    return isTextEntry(entry) ? this.prepareText(key, entry) : undefined;
  }

  /**
   * Sends an entry {@link prepare} made ready as the response to `req`; `slots` are the Fastify
   * reply's (fastify-direct.ts) or the symbol of the Express response's header table
   * (express-direct.ts).
   */
  send(
    mode: TextMode,
    ready: Ready,
    req: HttpRequestLike,
    res: HttpResponseLike,
    now: number,
    slots?: FastifySlots | symbol,
  ): void {
    const { entry } = ready;
    const age = ageOf(entry, now);
    if (mode === 'send') {
      sendExpressHit(res as ExpressResponse, req.method, ready, age, typeof slots === 'symbol' ? slots : undefined);
      return;
    }
    const reply = res as FastifyReply;
    reply.status(entry.status);
    const direct = typeof slots === 'object' && directHeaders(slots, { reply, raw: reply.raw, req });
    if (direct) {
      // What `reply.header` does for these names (stored ones are lower case, none is Set-Cookie).
      for (const [name, value] of ready.head)
        if ((direct[name] ?? reply.raw.getHeader(name)) !== value) direct[name] = value;
      direct.age = age;
      direct['x-cache'] = 'HIT';
      direct.etag = entry.etag;
    } else {
      for (const [name, value] of ready.head) if (reply.getHeader(name) !== value) reply.header(name, value);
      reply.header('Age', age);
      reply.header('X-Cache', 'HIT');
      reply.header('ETag', entry.etag);
    }
    const type = reply.getHeader('content-type');
    if (direct && ready.fastifyType !== null && type === ready.fastifyType) {
      // The rest of `reply.send` → `onSendEnd` for a string payload.
      direct['content-type'] = ready.contentType;
      const length = direct['content-length'];
      if (!length || (req.method !== 'HEAD' && Number(length) !== ready.bytes))
        direct['content-length'] = ready.contentLength;
      reply.raw.writeHead(entry.status, direct);
      reply.raw.end(entry.json);
      return;
    }
    if (type === undefined) reply.header('Content-Type', 'application/json');
    reply.send(entry.json);
  }

  private prepareText(key: string, entry: TextEntry): Ready | undefined {
    const known = this.ready.get(key);
    if (
      known !== undefined &&
      known.entry.etag === entry.etag &&
      known.entry.storedAt === entry.storedAt &&
      known.entry.status === entry.status &&
      known.entry.json === entry.json
    )
      return known;
    const head = Object.entries(entry.headers).map(([stored, value]): [string, string | string[]] => [
      headerName(stored),
      value,
    ]);
    const stored = entry.headers['content-type'];
    const contentType = withUtf8(typeof stored === 'string' ? stored : 'application/json');
    if (contentType === undefined) return undefined;
    const { etag, storedAt, status, json } = entry;
    const bytes = Buffer.byteLength(json);
    // Fastify adds the charset to JSON types only; others (and lists) keep `reply.send`.
    const fastifyType =
      stored === undefined || (typeof stored === 'string' && /json/.test(contentType)) ? stored : null;
    const ready: Ready = {
      entry: { etag, storedAt, status, json },
      head,
      contentType,
      contentLength: String(bytes),
      bytes,
      fastifyType,
    };
    if (known === undefined && this.ready.size >= READY_MAX) this.ready.delete(this.ready.keys().next().value!);
    this.ready.set(key, ready);
    return ready;
  }
}

type TextEntry = HttpCacheEntry & { json: string };

function isTextEntry(entry: unknown): entry is TextEntry {
  return isHttpEntry(entry) && typeof entry.json === 'string';
}

/** A media type without parameters: what `res.send` gives `; charset=utf-8` as such. */
const BARE_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The Content-Type Express's `res.send` writes for a text body under `type` (it parses the type,
 * sets `charset=utf-8` and formats it again), for types without parameters; undefined for
 * others, whose hits take the slower path (Express formats them there).
 */
function withUtf8(type: string): string | undefined {
  const bare = type.trim();
  return BARE_TYPE.test(bare) ? `${bare.toLowerCase()}; charset=utf-8` : undefined;
}
