import type { PgLib, PgListenClient } from './postgres.connection';
import type { PgConnectionOptions } from './postgres-store.options';
import { deadline } from './postgres.connection';

/** What a {@link PgListener} reports. */
export interface PgListenerEvents {
  message(payload: string): void;
  /** LISTEN is in place (first time or after a reconnect): every notification from now on arrives. */
  up(): void;
  /** The connection is lost: notifications may be missed until `up` again. */
  down(err?: unknown): void;
}

/**
 * One dedicated connection LISTENing on one channel (a pooled connection cannot LISTEN: it is
 * handed to other queries). Reconnects with backoff when the connection drops, and says so
 * (`down`, then `up` once LISTEN is back), so its users know when notifications may be lost.
 */
export class PgListener {
  private client?: PgListenClient;
  private live = false;
  private closed = false;
  private retry?: NodeJS.Timeout;
  private backoff = 200;
  private first?: Promise<void>;

  constructor(
    private readonly lib: () => Promise<PgLib>,
    private readonly config: () => Promise<PgConnectionOptions>,
    readonly channel: string,
    private readonly events: PgListenerEvents,
    private readonly timeout: number,
  ) {}

  get connected(): boolean {
    return this.live;
  }

  /** Connects and LISTENs; resolves once listening, rejects when the first attempt fails (retries go on). */
  start(): Promise<void> {
    return (this.first ??= this.connect());
  }

  /**
   * NOTIFYs `payload` on this listener's own channel, from its own connection; resolves once sent.
   * It comes back after every notification committed before it (one queue, in commit order).
   */
  async notify(payload: string): Promise<void> {
    const client = this.client;
    if (!client || !this.live) throw new Error('not listening');
    await deadline(client.query({ text: 'SELECT pg_notify($1, $2)', values: [this.channel, payload] }), this.timeout);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.live = false;
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const [lib, config] = await Promise.all([this.lib(), this.config()]);
    const client = new lib.Client({ ...config, application_name: config.application_name ?? 'cachekit:listen' });
    this.client = client;
    let dropped = false;
    const drop = (err?: unknown): void => {
      if (dropped) return;
      dropped = true;
      const wasLive = this.live;
      if (this.client === client) {
        this.client = undefined;
        this.live = false;
      }
      client.end().catch(() => undefined);
      if (this.closed) return;
      if (wasLive) this.events.down(err);
      this.reconnectLater();
    };
    client.on('error', (err) => drop(err));
    client.on('end', () => drop());
    client.on('notification', (msg) => {
      if (msg.channel === this.channel && msg.payload !== undefined) this.events.message(msg.payload);
    });
    try {
      await deadline(client.connect(), Math.max(this.timeout, 2000));
      await deadline(client.query({ text: `LISTEN "${this.channel}"` }), Math.max(this.timeout, 2000));
    } catch (err) {
      drop(err);
      throw err;
    }
    if (this.closed || dropped) return;
    this.backoff = 200;
    this.live = true;
    this.events.up();
  }

  private reconnectLater(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect().catch(() => undefined), this.backoff);
    this.retry.unref();
    this.backoff = Math.min(this.backoff * 2, 5000);
  }
}
