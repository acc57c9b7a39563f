// Coalescing of one tick's reads and writes on a Redis store. The first `get` (or `set`) of a
// tick is sent as it would be without coalescing (a plain GET or SET: no wait for I/O, no
// promise or object of ours), and opens the tick; the calls that follow in the same tick gather
// and are sent together when the tick's microtasks run: several `get`s as one MGET (one per hash
// slot on a Cluster), written in the same socket write as the first GET (the socket is corked for
// the tick); several `set`s stay SETs of their own, held on the corked socket and written to it
// at once (on a Cluster, one pipeline per node). Each call keeps its own promise: a
// reply (or error) is handed to the call it belongs to, so a failed slot or command fails only
// its own calls, and a value that cannot be decoded fails (is decoded) per call.
import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './redis-client';
import type { StoreEntry } from '../../core/store.types';
import { px, setWithTtl } from './redis.commands';
import { groupsOf, keySlot } from './redis.slots';

/** Resolved: `.then` on it queues a microtask (cheaper than queueMicrotask, which makes an async resource). */
const TICK = Promise.resolve();

/** Most calls in one batch: a larger burst is sent as several MGETs or pipelines. */
export const MAX_BATCH = 1000;

interface Waiter<R> {
  resolve(value: R): void;
  reject(err: unknown): void;
}

interface Batch<I, R> {
  readonly client: RedisClient;
  readonly items: I[];
  /** One per item, in the same order. */
  readonly waiters: Waiter<R>[];
}

/** Gathers the calls of one kind that follow the first of a tick, and sends them together. */
abstract class TickBatcher<I, R> {
  /** A call of this tick went out: later calls of the tick gather in `pending`. */
  private tickOpen = false;
  private pending?: Batch<I, R>;
  /** Runs once per tick that had a call (queued by its first call): sends what gathered. */
  private readonly endTick = (): void => {
    this.tickOpen = false;
    const batch = this.pending;
    if (batch !== undefined) {
      this.pending = undefined;
      this.send(batch);
    }
    this.closed();
  };

  /** The reply to `item`: sent at once when first in its tick, else with the others of the tick. */
  run(client: RedisClient, item: I): Promise<R> {
    if (!this.tickOpen) {
      this.tickOpen = true;
      void TICK.then(this.endTick);
      return this.first(client, item);
    }
    let batch = this.pending;
    if (batch === undefined || batch.client !== client) {
      if (batch !== undefined) this.send(batch);
      batch = this.pending = { client, items: [], waiters: [] };
    }
    const joined = batch;
    const reply = new Promise<R>((resolve, reject) => {
      joined.items.push(item);
      joined.waiters.push({ resolve, reject });
    });
    if (joined.items.length >= MAX_BATCH) {
      this.pending = undefined;
      this.send(joined);
    }
    return reply;
  }

  /** Sends one item. */
  protected abstract one(client: RedisClient, item: I): Promise<R>;

  /** Sends the first item of a tick (which opens it). */
  protected first(client: RedisClient, item: I): Promise<R> {
    return this.one(client, item);
  }

  /** The tick's end, after what gathered was sent (`send` never throws). */
  protected closed(): void {}

  /** Sends several items together and settles each waiter with its own reply. */
  protected abstract many(client: RedisClient, batch: Batch<I, R>): void;

  private send(batch: Batch<I, R>): void {
    try {
      if (batch.items.length === 1)
        this.one(batch.client, batch.items[0]).then(batch.waiters[0].resolve, batch.waiters[0].reject);
      else this.many(batch.client, batch);
    } catch (err) {
      // Sending runs in a microtask of its own: a throw here must reach the calls, not the process.
      for (const w of batch.waiters) w.reject(err);
    }
  }
}

/** A command of a pipeline that failed: its call rejects, the others of the batch stand. */
class Failed {
  constructor(readonly error: unknown) {}
}

/**
 * Settles the calls at `positions` of `batch` (all of them when omitted) from `replies` (one
 * per position, in order).
 */
function settle<R>(
  batch: Batch<unknown, R>,
  positions: readonly number[] | undefined,
  replies: Promise<(R | Failed)[]>,
): void {
  const at = (n: number): Waiter<R> => batch.waiters[positions ? positions[n] : n];
  replies.then(
    (values) => {
      for (let n = 0; n < values.length; n++) {
        const v = values[n];
        if (v instanceof Failed) at(n).reject(v.error);
        else at(n).resolve(v);
      }
    },
    (err: unknown) => {
      const count = positions ? positions.length : batch.items.length;
      for (let n = 0; n < count; n++) at(n).reject(err);
    },
  );
}

/**
 * Concurrent `get`s of one tick: one MGET (per hash slot on a Cluster); one `get` stays a GET.
 * On one node, the first GET is written to a socket corked until the tick's end, so it and the
 * MGET of the followers reach the socket in one write: a tick of gets is one write and one
 * packet, not two. A lone GET is written at the tick's end, when this tick's microtasks have
 * run (before any I/O): the same single write, not later in wall time.
 */
export class CoalescedReads extends TickBatcher<string, string | null> {
  /** The socket corked by the first GET of this tick. */
  private corked?: Redis['stream'];

  protected one(client: RedisClient, key: string): Promise<string | null> {
    return client.get(key);
  }

  protected override first(client: RedisClient, key: string): Promise<string | null> {
    if (!client.isCluster) {
      const stream = (client as Redis).stream as Redis['stream'] | undefined;
      if (stream !== undefined) {
        stream.cork();
        this.corked = stream;
      }
    }
    return client.get(key);
  }

  protected override closed(): void {
    const stream = this.corked;
    if (stream === undefined) return;
    this.corked = undefined;
    stream.uncork();
  }

  protected many(client: RedisClient, batch: Batch<string, string | null>): void {
    const keys = batch.items;
    if (!client.isCluster) return settle(batch, undefined, client.mget(keys));
    // Each slot's MGET settles its own calls: a node that fails or stalls fails only its slots.
    for (const group of groupsOf(keys, (key) => keySlot(key))) {
      const replies =
        group.length === 1
          ? (client as Cluster).get(keys[group[0]]).then((raw) => [raw])
          : (client as Cluster).mget(group.map((i) => keys[i]));
      settle(batch, group, replies);
    }
  }
}

/** One `set` of a batch: the key, its serialized value, its TTL in ms. */
export interface PendingWrite {
  readonly key: string;
  readonly text: string;
  readonly ttlMs: number | undefined;
}

/**
 * Concurrent `set`s of one tick on one node: each is a SET of its own (its own reply, error and
 * timeout), the first written at once; the others of the tick are held on the corked socket and
 * reach it in one write when the tick's microtasks run (at most {@link MAX_BATCH} per write).
 * That is the one write of a pipeline without its costs: ioredis' pipeline concatenates the
 * commands into one string and collects the replies in arrays of its own, which cost more CPU
 * (mostly garbage collection) than the SETs alone. On a Cluster: one pipeline per node.
 */
export class CoalescedWrites {
  private tickOpen = false;
  /** The socket corked for the followers of this tick, and how many SETs it holds. */
  private corked?: Redis['stream'];
  private held = 0;
  private readonly cluster = new ClusterWrites();
  private readonly endTick = (): void => {
    this.tickOpen = false;
    this.release();
  };

  run(client: RedisClient, w: PendingWrite): Promise<unknown> {
    if (client.isCluster) return this.cluster.run(client, w);
    if (!this.tickOpen) {
      this.tickOpen = true;
      void TICK.then(this.endTick);
    } else this.hold((client as Redis).stream);
    return setOne(client, w);
  }

  /** Corks `stream` (once per tick and batch) so that the next SET waits for the tick's end. */
  private hold(stream: Redis['stream'] | undefined): void {
    if (stream === undefined) return;
    if (this.corked !== stream || this.held >= MAX_BATCH) {
      this.release();
      stream.cork();
      this.corked = stream;
    }
    this.held++;
  }

  /** Writes what the corked socket holds. */
  private release(): void {
    const stream = this.corked;
    if (stream === undefined) return;
    this.corked = undefined;
    this.held = 0;
    stream.uncork();
  }
}

function setOne(client: RedisClient, w: PendingWrite): Promise<unknown> {
  return setWithTtl(client, w.key, w.text, w.ttlMs);
}

/**
 * `setMany` on one node: a SET per entry (`texts[i]` for `entries[i]`), reaching the socket in
 * writes of at most {@link MAX_BATCH} SETs, as the followers of a tick do. Rejects with the
 * first failure.
 */
export function setAll(client: Redis, entries: readonly StoreEntry[], texts: readonly string[]): Promise<unknown[]> {
  const stream = client.stream as Redis['stream'] | undefined;
  const replies = new Array<Promise<unknown>>(entries.length);
  for (let from = 0; from < entries.length; from += MAX_BATCH) {
    stream?.cork();
    try {
      const to = Math.min(entries.length, from + MAX_BATCH);
      for (let i = from; i < to; i++) replies[i] = setWithTtl(client, entries[i].key, texts[i], entries[i].ttlMs);
    } finally {
      stream?.uncork();
    }
  }
  return Promise.all(replies);
}

/** Concurrent `set`s of one tick on a Cluster: one pipeline per node (a pipeline may only hold keys of one node). */
class ClusterWrites extends TickBatcher<PendingWrite, unknown> {
  protected one(client: RedisClient, w: PendingWrite): Promise<unknown> {
    return setOne(client, w);
  }

  protected many(client: RedisClient, batch: Batch<PendingWrite, unknown>): void {
    const writes = batch.items;
    const slots = (client as Cluster).slots;
    const nodeOf = (w: PendingWrite): number | string => {
      const slot = keySlot(w.key);
      return slots[slot]?.join(',') ?? slot;
    };
    for (const positions of groupsOf(writes, nodeOf)) {
      const part = positions.map((i) => writes[i]);
      settle(
        batch,
        positions,
        part.length === 1 ? setOne(client, part[0]).then((r) => [r]) : this.pipelined(client, part),
      );
    }
  }

  /** One pipeline write; each SET's own reply or error goes to its own call. */
  private async pipelined(client: RedisClient, writes: readonly PendingWrite[]): Promise<(unknown | Failed)[]> {
    const pipeline = client.pipeline();
    for (const w of writes) {
      if (w.ttlMs === undefined) pipeline.set(w.key, w.text);
      else pipeline.set(w.key, w.text, 'PX', px(w.ttlMs));
    }
    const results = await pipeline.exec();
    if (!results) throw new Error('the pipeline was aborted');
    return results.map(([err, reply]) => (err ? new Failed(err) : reply));
  }
}
