import type { BusListener, InvalidationBus } from '../../src';

/**
 * An in-process invalidation hub: every {@link LocalBus} joined to it hears the others' messages.
 * A real implementation of the bus contract (not a stand-in for a client library), so the
 * two-tier store's bus handling can be driven without a network: a bus can fail its start, lose
 * and regain its subscription, and refuse to publish.
 */
export class LocalHub {
  readonly buses = new Set<LocalBus>();

  bus(): LocalBus {
    return new LocalBus(this);
  }
}

export class LocalBus implements InvalidationBus {
  connected = false;
  readonly address = 'local://hub';
  /** Set to make `start` reject (the bus then connects only when {@link reconnect} is called). */
  failStart?: Error;
  /** Set to make `publish` reject. */
  failPublish?: Error;
  published: (readonly string[] | 'clear')[] = [];
  private listener?: BusListener;

  constructor(private readonly hub: LocalHub) {}

  async start(listener: BusListener): Promise<void> {
    this.listener = listener;
    if (this.failStart) throw this.failStart;
    this.join();
  }

  async publish(keys: readonly string[] | 'clear'): Promise<void> {
    if (this.failPublish) throw this.failPublish;
    if (!this.connected) throw new Error('local bus not subscribed');
    this.published.push(keys);
    for (const other of this.hub.buses) {
      if (other === this || !other.connected) continue;
      if (keys === 'clear') other.listener?.clear();
      else other.listener?.keys(keys);
    }
  }

  /** The subscription is lost: messages are missed until {@link reconnect}. */
  cut(): void {
    this.connected = false;
    this.hub.buses.delete(this);
    this.listener?.down();
  }

  /** Subscribed (again) after a failed start or a cut. */
  reconnect(): void {
    this.failStart = undefined;
    this.join();
  }

  async close(): Promise<void> {
    this.connected = false;
    this.hub.buses.delete(this);
  }

  private join(): void {
    this.connected = true;
    this.hub.buses.add(this);
    this.listener?.up();
  }
}
