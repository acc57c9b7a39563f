/**
 * A loopback TCP proxy that can hold back what the server sends on chosen connections, to delay
 * the delivery of pub/sub or NOTIFY messages to one subscriber deterministically (SIGSTOP would
 * stop the whole server). A connection is *watched* once the client sent something matching
 * `watch` (a SUBSCRIBE, a LISTEN); while the proxy holds, what the server sends on watched
 * connections is buffered, in order, and flushed on `release()` or, with `releaseOn`, as soon as
 * the client sends something matching it on that connection. Other connections pass untouched.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

const HOST = '127.0.0.1';

interface Pair {
  client: Socket;
  upstream: Socket;
  watched: boolean;
  held: Buffer[];
}

export class HeldProxy {
  private readonly pairs = new Set<Pair>();
  private holding = false;
  private releaseOn?: RegExp;
  /** Client commands matching `releaseOn` seen on watched connections while held. */
  releasedBy = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly watch: RegExp,
  ) {}

  /** Listens on a free loopback port, forwarding every connection to `upstreamPort`. */
  static async start(upstreamPort: number, watch: RegExp): Promise<HeldProxy> {
    const accept: { to?: HeldProxy } = {};
    const server = createServer((client) => accept.to?.accept(client, upstreamPort));
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    return (accept.to = new HeldProxy(server, (server.address() as { port: number }).port, watch));
  }

  /** How many connections are watched (a subscriber connected and subscribed through the proxy). */
  get watchedConnections(): number {
    return [...this.pairs].filter((p) => p.watched).length;
  }

  /** Holds what the server sends on watched connections; with `until`, releases when the client sends it. */
  hold(until?: RegExp): void {
    this.holding = true;
    this.releaseOn = until;
  }

  /** Bytes held back so far (a message is in the buffer once this is above 0). */
  get heldBytes(): number {
    let n = 0;
    for (const p of this.pairs) for (const b of p.held) n += b.length;
    return n;
  }

  /** Flushes everything held, in order, and passes what follows through. */
  release(): void {
    this.holding = false;
    this.releaseOn = undefined;
    for (const p of this.pairs) this.flush(p);
  }

  async stop(): Promise<void> {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, upstreamPort: number): void {
    const upstream = createConnection({ host: HOST, port: upstreamPort });
    const pair: Pair = { client, upstream, watched: false, held: [] };
    this.pairs.add(pair);
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (this.watch.test(text)) pair.watched = true;
      upstream.write(chunk);
      if (pair.watched && this.holding && this.releaseOn?.test(text)) {
        this.releasedBy++;
        this.release();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (pair.watched && this.holding) pair.held.push(chunk);
      else client.write(chunk);
    });
  }

  private flush(pair: Pair): void {
    for (const chunk of pair.held.splice(0)) pair.client.write(chunk);
  }
}
