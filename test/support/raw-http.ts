import { request as httpRequest } from 'node:http';

/** An HTTP answer as it came off the wire. */
export interface RawAnswer {
  status: number;
  /** Header name/value pairs in the order and spelling they were sent. */
  headers: Array<[string, string]>;
  body: Buffer;
}

/**
 * One request to 127.0.0.1:`port` over a real socket (no client that merges, reorders or adds
 * headers): the answer as sent.
 */
export function rawCall(
  port: number,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const pairs: Array<[string, string]> = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
        resolve({ status: res.statusCode!, headers: pairs, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** One header of an answer (first of its name, any case). */
export const headerOf = (a: Pick<RawAnswer, 'headers'>, name: string): string | undefined =>
  a.headers.find(([n]) => n.toLowerCase() === name)?.[1];
