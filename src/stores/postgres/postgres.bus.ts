import { randomBytes } from 'node:crypto';
import type { CacheLogger } from '../../core/logger';
import { deliverBusMessage, type BusMessage as Message } from '../tiered/bus-message';
import type { BusSeal } from '../tiered/bus-seal';
import type { BusListener, InvalidationBus } from '../tiered/invalidation-bus';
import { deadline, type PostgresConnection } from './postgres.connection';
import { PgListener } from './postgres.listener';

/** NOTIFY payloads must stay under 8000 bytes: keys are sent in messages of at most this size. */
const MAX_PAYLOAD_BYTES = 7000;

const NOTIFY = { name: 'cachekit_notify', text: 'SELECT pg_notify($1, $2)' };

/**
 * An {@link InvalidationBus} on PostgreSQL LISTEN/NOTIFY: a dedicated connection LISTENs (a
 * pooled one cannot), messages are sent with `pg_notify` through the store's pool. NOTIFY is
 * transactional and delivered to every listening session of the database, in order. The same
 * rules as the Redis bus: while the listener is down the two-tier store bypasses L1, and empties
 * it when LISTEN is back (what was sent in between is lost).
 */
export class PostgresBus implements InvalidationBus {
  /** This instance's id, carried by every message it sends; its own messages are ignored. */
  readonly id = randomBytes(9).toString('base64url');
  private listener?: PgListener;
  private target?: BusListener;
  private closed = false;
  private failures = 0;
  private seal?: BusSeal;

  constructor(
    private readonly conn: PostgresConnection,
    /** The NOTIFY channel, derived from the table, namespace and two-tier store. */
    readonly channel: string,
    private readonly name: string,
    private readonly logger: CacheLogger,
    private readonly timeout: number,
  ) {}

  get connected(): boolean {
    return this.listener?.connected ?? false;
  }

  /** Where the bus listens (credentials masked). */
  get address(): string {
    return this.conn.target;
  }

  /** @internal Key lists are sealed from now on (the L2 has `encrypt` or `hashKeys`: bus-seal.ts). */
  sealWith(seal: BusSeal): void {
    this.seal = seal;
  }

  start(listener: BusListener): Promise<void> {
    this.target = listener;
    this.listener ??= new PgListener(
      () => this.conn.library(),
      () => this.conn.listenerConfig(),
      this.channel,
      {
        message: (payload) => this.receive(payload),
        up: () => this.target?.up(),
        down: () => {
          if (!this.closed && this.failures++ % 100 === 0) {
            this.logger.warn(
              `Cache store "${this.name}": invalidation bus (LISTEN) disconnected; L1 is bypassed until it listens again`,
            );
          }
          this.target?.down();
        },
      },
      this.timeout,
    );
    return this.listener.start();
  }

  /**
   * Sends the keys (or a clear). One NOTIFY is in flight at a time; publishes made meanwhile
   * join the next one (group commit: under a write burst, a few statements carry many keys).
   */
  publish(keys: readonly string[] | 'clear'): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (keys === 'clear') this.pendingClear = true;
    else for (const k of keys) this.pendingKeys.add(k);
    this.next ??= this.flushAfter(this.inFlight);
    return this.next;
  }

  private pendingKeys = new Set<string>();
  private pendingClear = false;
  private inFlight: Promise<void> = Promise.resolve();
  private next?: Promise<void>;

  private async flushAfter(previous: Promise<void>): Promise<void> {
    await previous.catch(() => undefined);
    this.next = undefined;
    const keys = [...this.pendingKeys];
    const clear = this.pendingClear;
    this.pendingKeys = new Set();
    this.pendingClear = false;
    const sending = this.send(clear ? 'clear' : keys);
    this.inFlight = sending;
    await sending;
  }

  private async send(keys: readonly string[] | 'clear'): Promise<void> {
    const payloads = keys === 'clear' ? [this.clearMessage()] : this.keyMessages(keys);
    await Promise.all(payloads.map((p) => this.conn.run('publish', NOTIFY, [this.channel, p])));
  }

  private clearMessage(): string {
    return JSON.stringify({ i: this.id, c: 1 } satisfies Message);
  }

  /**
   * The payloads carrying `keys`, each under the NOTIFY limit (sealed ones included). A key too
   * long for any message is sent as a clear: every other instance empties its L1.
   */
  private keyMessages(keys: readonly string[]): string[] {
    const seal = this.seal;
    const encode = (batch: string[]): string =>
      seal ? seal.message(this.id, batch) : JSON.stringify({ i: this.id, k: batch } satisfies Message);
    // `[`, `]` and a comma per key: what the JSON of a batch adds to its keys.
    const budget = (seal ? seal.plainBudget(MAX_PAYLOAD_BYTES) : MAX_PAYLOAD_BYTES) - 2;
    const payloads: string[] = [];
    let batch: string[] = [];
    let bytes = 0;
    for (const k of keys) {
      const size = Buffer.byteLength(JSON.stringify(k)) + 1;
      if (size > budget) return [this.clearMessage()];
      if (batch.length > 0 && bytes + size > budget) {
        payloads.push(encode(batch));
        batch = [];
        bytes = 0;
      }
      batch.push(k);
      bytes += size;
    }
    if (batch.length > 0) payloads.push(encode(batch));
    return payloads;
  }

  /** Settle probes of this instance waiting for their NOTIFY to come back: payload → resolve. */
  private readonly probes = new Map<string, () => void>();
  private probeCount = 0;

  /**
   * A NOTIFY to its own channel, awaited on the listening connection: PostgreSQL delivers
   * notifications in commit order, so every one committed before (another instance's publish that
   * resolved) has arrived by then. The probe carries no keys: every other instance ignores it.
   */
  async settle(): Promise<boolean> {
    const listener = this.listener;
    if (!listener || this.closed) throw new Error('invalidation bus not listening');
    const payload = JSON.stringify({ i: this.id, s: ++this.probeCount } satisfies Message);
    const back = new Promise<void>((resolve) => this.probes.set(payload, resolve));
    try {
      await deadline(Promise.all([listener.notify(payload), back]), this.timeout);
    } finally {
      this.probes.delete(payload);
    }
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener?.close();
  }

  private receive(text: string): void {
    if (this.probes.size > 0) {
      const probe = this.probes.get(text);
      if (probe) return probe();
    }
    deliverBusMessage(text, this.id, this.target, this.seal);
  }
}
