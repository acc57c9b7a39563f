// Coalescing of one tick's reads and writes on a Redis store. The first `get` (or `set`) of a
// tick leads a batch: it yields one microtask, so every other call made in the same tick joins
// it, then sends what gathered. A lone call is sent as it would be without coalescing (a plain
// GET or SET, no extra object per call); several `get`s become one MGET (one per hash slot on a
// Cluster), several `set`s one pipeline, written to the socket at once. Each call keeps its own
// promise: a reply (or error) is handed to the call it belongs to, so a failed slot or command
// fails only its own calls, and a value that cannot be decoded is decoded (and fails) per call.
import type { Cluster } from 'ioredis';
import type { RedisClient } from './redis-client';
import { px } from './redis.commands';
import { keySlot } from './redis.slots';

/** Most calls in one batch: a larger burst is sent as several MGETs or pipelines. */
export const MAX_BATCH = 1000;

/** A resolved promise: awaiting it yields exactly one microtask, allocating nothing. */
const TICK = Promise.resolve();

interface Waiter<R> {
  resolve(value: R): void;
  reject(err: unknown): void;
}

interface Batch<I, R> {
  readonly client: RedisClient;
  readonly items: I[];
  /** One per item; `undefined` at 0 (the leader awaits its own reply). */
  readonly waiters: (Waiter<R> | undefined)[];
}

/** Gathers one tick's calls of one kind and sends them together. */
abstract class TickBatcher<I, R> {
  private open?: Batch<I, R>;

  /** The reply to `item`, sent alone or with the other calls of this tick. */
  run(client: RedisClient, item: I): Promise<R> {
    const batch = this.open;
    if (batch === undefined || batch.client !== client) return this.lead(client, item);
    return new Promise<R>((resolve, reject) => {
      batch.items.push(item);
      batch.waiters.push({ resolve, reject });
      if (batch.items.length >= MAX_BATCH) this.open = undefined;
    });
  }

  /** Sends a batch of one item. */
  protected abstract one(client: RedisClient, item: I): Promise<R>;

  /** Sends `items` together; settles `waiters` with their own replies; resolves with item 0's. */
  protected abstract many(client: RedisClient, batch: Batch<I, R>): Promise<R>;

  private async lead(client: RedisClient, item: I): Promise<R> {
    const batch: Batch<I, R> = (this.open = { client, items: [item], waiters: [undefined] });
    await TICK;
    if (this.open === batch) this.open = undefined;
    return batch.items.length === 1 ? await this.one(client, item) : await this.many(client, batch);
  }
}

/** A command of a pipeline that failed: its call rejects, the others of the batch stand. */
class Failed {
  constructor(readonly error: unknown) {}
}

/** The reply of one call: a {@link Failed} marker rejects it. */
function outcome<R>(value: R | Failed): R {
  if (value instanceof Failed) throw value.error;
  return value;
}

/**
 * Settles the calls at `positions` of `batch` (all of them when omitted) from `replies` (one
 * per position, in order); resolves with those replies, for the leader to take its own.
 */
function settle<R>(
  batch: Batch<unknown, R>,
  positions: readonly number[] | undefined,
  replies: Promise<(R | Failed)[]>,
): Promise<(R | Failed)[]> {
  const at = (n: number): Waiter<R> | undefined => batch.waiters[positions ? positions[n] : n];
  replies.then(
    (values) => {
      for (let n = 0; n < values.length; n++) {
        const v = values[n];
        if (v instanceof Failed) at(n)?.reject(v.error);
        else at(n)?.resolve(v);
      }
    },
    (err: unknown) => {
      const count = positions ? positions.length : batch.items.length;
      for (let n = 0; n < count; n++) at(n)?.reject(err);
    },
  );
  return replies;
}

/** Concurrent `get`s of one tick: one MGET (per hash slot on a Cluster); one `get` stays a GET. */
export class CoalescedReads extends TickBatcher<string, string | null> {
  protected one(client: RedisClient, key: string): Promise<string | null> {
    return client.get(key);
  }

  protected async many(client: RedisClient, batch: Batch<string, string | null>): Promise<string | null> {
    const keys = batch.items;
    if (!client.isCluster) return outcome((await settle(batch, undefined, client.mget(keys)))[0]);
    let own: Promise<(string | null | Failed)[]> | undefined;
    for (const group of slotGroups(keys, (key) => keySlot(key))) {
      const replies =
        group.length === 1
          ? (client as Cluster).get(keys[group[0]]).then((raw) => [raw])
          : (client as Cluster).mget(group.map((i) => keys[i]));
      // Each group settles its own calls; the leader awaits the group it is in.
      const settled = settle(batch, group, replies);
      if (group[0] === 0) own = settled;
    }
    return outcome((await own!)[0]);
  }
}

/** One `set` of a batch: the key, its serialized value, its TTL in ms. */
export interface PendingWrite {
  readonly key: string;
  readonly text: string;
  readonly ttlMs: number | undefined;
}

/** Concurrent `set`s of one tick: one pipeline (per node on a Cluster); one `set` stays a SET. */
export class CoalescedWrites extends TickBatcher<PendingWrite, unknown> {
  protected one(client: RedisClient, w: PendingWrite): Promise<unknown> {
    return w.ttlMs === undefined ? client.set(w.key, w.text) : client.set(w.key, w.text, 'PX', px(w.ttlMs));
  }

  protected async many(client: RedisClient, batch: Batch<PendingWrite, unknown>): Promise<unknown> {
    const writes = batch.items;
    if (!client.isCluster) return outcome((await settle(batch, undefined, this.pipelined(client, writes)))[0]);
    // A Cluster pipeline may only hold keys served by one node: group by the nodes of each slot.
    const slots = (client as Cluster).slots;
    const group = (w: PendingWrite): number | string => {
      const slot = keySlot(w.key);
      return slots[slot]?.join(',') ?? slot;
    };
    let own: Promise<unknown[]> | undefined;
    for (const positions of slotGroups(writes, group)) {
      const part = positions.map((i) => writes[i]);
      const replies = part.length === 1 ? this.one(client, part[0]).then((r) => [r]) : this.pipelined(client, part);
      const settled = settle(batch, positions, replies);
      if (positions[0] === 0) own = settled;
    }
    return outcome((await own!)[0]);
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

/** Positions of `items` grouped by `groupOf`, in first-seen order. */
function slotGroups<I>(items: readonly I[], groupOf: (item: I) => number | string): number[][] {
  const groups = new Map<number | string, number[]>();
  for (let i = 0; i < items.length; i++) {
    const g = groupOf(items[i]);
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  }
  return [...groups.values()];
}
