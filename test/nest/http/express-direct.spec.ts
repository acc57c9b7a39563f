/**
 * An Express hit written into the Node response's header table stores exactly what the
 * `setHeader` calls it replaces would: same names (case), same values, same order, and it steps
 * aside whenever something could observe those calls.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import {
  directTable,
  headerTableSlot,
  probeTableSlot,
  sendExpressHit,
  type ExpressHit,
  type ExpressResponse,
} from '../../../src/nest/http/express-direct';

const hit: ExpressHit = {
  entry: { status: 200, etag: 'W/"abc"', json: '{"a":1}' },
  head: [
    ['content-type', 'application/json'],
    ['x-custom', 'one'],
    ['link', ['</a>; rel=preload', '</b>; rel=preload']],
    ['__proto__', 'p'],
  ],
  contentType: 'application/json; charset=utf-8',
  contentLength: '7',
};

/** A response as a hit meets it: headers set by Express and middleware, `end` captured. */
function response(setUp?: (res: ServerResponse) => void): { res: ServerResponse; ended: unknown[][] } {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  setUp?.(res);
  const ended: unknown[][] = [];
  res.end = ((...args: unknown[]) => {
    ended.push(args);
    return res;
  }) as ServerResponse['end'];
  return { res, ended };
}

const withHeaders = (res: ServerResponse) => {
  res.setHeader('X-Powered-By', 'Express');
  res.setHeader('X-Custom', 'one'); // already there with that value: keeps its case
  res.setHeader('Transfer-Encoding', 'chunked');
};

/** What leaves: names as set (Node 15+ `getRawHeaderNames`, in insertion order), values, status. */
function sent(res: ServerResponse) {
  const names = (res as ServerResponse & { getRawHeaderNames(): string[] }).getRawHeaderNames();
  return { names, headers: res.getHeaders(), status: res.statusCode };
}

const send = (res: ServerResponse, method: string, slot: symbol | undefined, age = '3') =>
  sendExpressHit(res as unknown as ExpressResponse, method, hit, age, slot);

describe('express-direct', () => {
  it.each([
    ['with headers already set', withHeaders],
    ['with none set yet', undefined],
  ])('writes the same headers as setHeader would (%s), GET and HEAD', (_, setUp) => {
    for (const method of ['GET', 'HEAD']) {
      const direct = response(setUp);
      const slot = headerTableSlot(direct.res);
      expect(slot).toBeDefined();
      expect(directTable(direct.res, slot!)).toBeDefined();
      send(direct.res, method, slot);
      const plain = response(setUp);
      send(plain.res, method, undefined);
      expect(sent(direct.res)).toEqual(sent(plain.res));
      expect(direct.ended).toEqual(plain.ended);
      expect(direct.ended).toEqual([method === 'HEAD' ? [] : ['{"a":1}']]);
    }
    const { res } = response(setUp);
    send(res, 'GET', headerTableSlot(res));
    expect(res.getHeader('content-length')).toBe(setUp ? undefined : '7');
    expect(res.getHeader('__proto__')).toBe('p');
  });

  it('leaves the headers to setHeader when something else defines it', () => {
    const own = response((res) => {
      res.setHeader('X-Powered-By', 'Express');
      const setHeader = res.setHeader.bind(res);
      res.setHeader = ((name: string, value: string) => setHeader(name, `${value}!`)) as ServerResponse['setHeader'];
    });
    const slot = headerTableSlot(response().res)!;
    expect(directTable(own.res, slot)).toBeUndefined();
    send(own.res, 'GET', slot, '0');
    expect(own.res.getHeader('x-cache')).toBe('HIT!');

    // An app whose response prototype overrides it: no slot for the route.
    const proto = Object.create(ServerResponse.prototype) as ServerResponse;
    proto.getHeader = function (this: ServerResponse, name: string) {
      return ServerResponse.prototype.getHeader.call(this, name);
    };
    const { res } = response();
    Object.setPrototypeOf(res, proto);
    expect(headerTableSlot(res)).toBeUndefined();
  });

  it('leaves a response whose headers left to setHeader, which reports it as before', () => {
    const { res } = response();
    const slot = headerTableSlot(res)!;
    res.writeHead(200);
    expect(directTable(res, slot)).toBeUndefined();
    expect(() => send(res, 'GET', slot)).toThrow(/after they are sent/);
  });

  it('writes the table only where this Node keeps headers as expected (checked once on a probe)', () => {
    // This Node: a null-prototype table of lower-case name to [name, value].
    expect(probeTableSlot()?.description).toBe('kOutHeaders');
    const kOutHeaders = Symbol('kOutHeaders');
    // A Node that kept headers in a Map, or in an object with a prototype, or as bare values.
    const keeping = (store: (table: Record<symbol, unknown>, name: string, value: string) => void) => () => {
      const r: Record<symbol, unknown> & { setHeader(name: string, value: string): void } = {
        [kOutHeaders]: null,
        setHeader(name, value) {
          store(this, name, value);
        },
      };
      return r;
    };
    const inMap = keeping((r, n, v) => {
      r[kOutHeaders] = new Map([[n.toLowerCase(), [n, v]]]);
    });
    const withPrototype = keeping((r, n, v) => {
      r[kOutHeaders] = { [n.toLowerCase()]: [n, v] };
    });
    const bare = keeping((r, n, v) => {
      r[kOutHeaders] = Object.assign(Object.create(null) as object, { [n.toLowerCase()]: v });
    });
    const asNode = keeping((r, n, v) => {
      r[kOutHeaders] = Object.assign(Object.create(null) as object, { [n.toLowerCase()]: [n, v] });
    });
    expect(probeTableSlot(inMap)).toBeUndefined();
    expect(probeTableSlot(withPrototype)).toBeUndefined();
    expect(probeTableSlot(bare)).toBeUndefined();
    expect(probeTableSlot(() => ({}))).toBeUndefined();
    expect(
      probeTableSlot(() => {
        throw new Error('no response here');
      }),
    ).toBeUndefined();
    expect(probeTableSlot(asNode)).toBe(kOutHeaders);
    // A response whose table has a prototype is left to setHeader.
    const { res } = response();
    const slot = headerTableSlot(res)!;
    (res as unknown as Record<symbol, unknown>)[slot] = { 'x-a': ['X-A', '1'] };
    expect(headerTableSlot(res)).toBeUndefined();
  });
});
