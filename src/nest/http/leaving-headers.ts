import type { ServerResponse } from 'node:http';
import type { HttpResponseLike } from './http-cache.platform';

/**
 * What a response's headers said as they left the server: `clean`, `set-cookie` (some code set a
 * cookie, possibly at `writeHead` as express-session and Fastify `onSend` hooks do, after the
 * handler returned), or `unsent` (the exchange closed before any header was written).
 */
export type LeavingHeaders = 'clean' | 'set-cookie' | 'unsent';

/**
 * Watches one response until its headers leave, and lets a miss hold the response's end until its
 * entry is stored (so the next request after a MISS is a HIT, and no reader ever sees an entry
 * whose response turned out to set a cookie).
 *
 * Headers are checked where they leave, `ServerResponse.writeHead` (Express's `res` is the Node
 * response; Fastify's reply has it as `raw` and passes its headers as `writeHead`'s argument).
 * Middleware that wraps `writeHead` (on-headers) wrapped it before the handler ran, so the wrapper
 * installed here runs outside theirs and sees what they add.
 */
export class HeaderWatch {
  /** Settles once, when the headers left or the exchange closed. */
  readonly leaving: Promise<LeavingHeaders>;
  private hold?: Promise<unknown>;

  constructor(res: HttpResponseLike) {
    const raw = nodeResponse(res);
    if (raw === undefined || raw.headersSent) {
      const all = raw?.getHeaders() ?? res.getHeaders();
      this.leaving = Promise.resolve(hasCookie(all['set-cookie']) ? 'set-cookie' : 'clean');
      return;
    }
    this.leaving = new Promise<LeavingHeaders>((resolve) => this.watch(raw, resolve));
  }

  /**
   * Delays the response's `end` until `settled` settles (the entry's write: bounded by the store's
   * timeout). Headers are written first, so the watch above still decides on them.
   */
  holdEndUntil(settled: Promise<unknown>): void {
    this.hold = settled.then(
      () => undefined,
      () => undefined,
    );
  }

  private watch(raw: ServerResponse, resolve: (value: LeavingHeaders) => void): void {
    const slots = ['writeHead', 'write', 'end'] as const;
    const originals = slots.map((name) => ({
      name,
      own: Object.prototype.hasOwnProperty.call(raw, name),
      fn: raw[name] as (...a: unknown[]) => unknown,
    }));
    const [writeHead, write, end] = originals.map((o) => o.fn);
    const mine: Record<string, unknown> = {};
    const target = raw as unknown as Record<string, unknown>;
    const restore = (name: (typeof slots)[number]) => {
      const o = originals.find((x) => x.name === name)!;
      if (target[name] !== mine[name]) return; // wrapped again after us: leave that wrapper in place
      if (o.own) target[name] = o.fn;
      else delete target[name];
    };
    let settled = false;
    const done = (value: LeavingHeaders) => {
      if (settled) return;
      settled = true;
      raw.removeListener('close', onClose);
      resolve(value);
    };
    const onClose = () => {
      for (const name of slots) restore(name);
      done(raw.headersSent ? (hasCookie(raw.getHeader('set-cookie')) ? 'set-cookie' : 'clean') : 'unsent');
    };
    // Body writes queued while a miss's entry is being stored (Fastify writes the payload, then ends).
    let queue: Array<[fn: (...a: unknown[]) => unknown, args: unknown[]]> | undefined;
    const flushLater = (hold: Promise<unknown>) => {
      if (queue) return;
      queue = [];
      void hold.then(() => {
        restore('write');
        restore('end');
        for (const [fn, args] of queue!) fn.apply(raw, args);
        queue = undefined;
      });
    };
    const held = () => this.hold;
    mine.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      restore('writeHead');
      const result = writeHead.apply(this, args);
      done(hasCookie(raw.getHeader('set-cookie')) || argsSetCookie(args) ? 'set-cookie' : 'clean');
      return result;
    };
    mine.write = function (this: ServerResponse, ...args: unknown[]) {
      if (!settled && !this.headersSent) this.writeHead(this.statusCode);
      if (held() === undefined && queue === undefined) return write.apply(this, args);
      flushLater(held()!);
      queue!.push([write, args]);
      return true;
    };
    mine.end = function (this: ServerResponse, ...args: unknown[]) {
      // Headers leave now (what `end` would do implicitly), so the watch decides before the wait.
      if (!settled && !this.headersSent) this.writeHead(this.statusCode);
      if (held() === undefined && queue === undefined) {
        restore('write');
        restore('end');
        return end.apply(this, args);
      }
      flushLater(held()!);
      queue!.push([end, args]);
      return this;
    };
    for (const name of slots) target[name] = mine[name];
    raw.once('close', onClose);
  }
}

/** The Node response under an Express response (itself) or a Fastify reply (`raw`). */
function nodeResponse(res: HttpResponseLike): ServerResponse | undefined {
  const candidate = (res as { raw?: unknown }).raw ?? res;
  const r = candidate as Partial<ServerResponse>;
  return typeof r.writeHead === 'function' && typeof r.end === 'function' && typeof r.once === 'function'
    ? (candidate as ServerResponse)
    : undefined;
}

function hasCookie(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

/** A `Set-Cookie` among `writeHead(status, [message], headers)`'s headers (object, pairs or flat list). */
function argsSetCookie(args: unknown[]): boolean {
  for (const arg of args) {
    if (arg === null || typeof arg !== 'object') continue;
    if (Array.isArray(arg)) {
      for (let i = 0; i < arg.length; i++) {
        const item: unknown = arg[i];
        const name = Array.isArray(item) ? item[0] : i % 2 === 0 ? item : undefined;
        if (typeof name === 'string' && name.toLowerCase() === 'set-cookie') return true;
      }
      continue;
    }
    for (const [name, value] of Object.entries(arg)) {
      if (name.toLowerCase() === 'set-cookie' && hasCookie(value)) return true;
    }
  }
  return false;
}
