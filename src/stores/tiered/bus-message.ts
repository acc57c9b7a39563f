import type { BusSeal } from './bus-seal';
import type { BusListener } from './invalidation-bus';

/**
 * The wire format of the built-in buses (Redis pub/sub, Postgres NOTIFY):
 * `{ i: sender id, k?: keys, c?: 1 for clear, x?: sealed keys, s?: settle probe }` as JSON; values
 * never travel. A settle probe (Postgres: a NOTIFY the sender waits for) carries nothing else, and
 * every other instance ignores it.
 * `x` (bus-seal.ts) always comes with `c: 1`, so an instance that cannot read it clears.
 */
export interface BusMessage {
  i: string;
  k?: string[];
  c?: 1;
  x?: string;
  s?: number;
}

/**
 * Hands a received message to `listener`, ignoring this instance's own (`selfId`) and anything not
 * ours. A sealed message is opened with `seal`; one that cannot be (no seal, another key, tampered)
 * empties L1 like a clear and is reported to `listener.fault`: ignoring it would keep stale copies.
 */
export function deliverBusMessage(
  text: string,
  selfId: string,
  listener: BusListener | undefined,
  seal?: BusSeal,
): void {
  let msg: BusMessage;
  try {
    msg = JSON.parse(text) as BusMessage;
  } catch {
    return; // not ours: ignore
  }
  if (!msg || typeof msg !== 'object' || msg.i === selfId || typeof msg.i !== 'string') return;
  if (msg.c === 1) {
    if (msg.x === undefined) listener?.clear();
    else deliverSealed(msg, listener, seal);
  } else if (Array.isArray(msg.k)) listener?.keys(msg.k.filter((k) => typeof k === 'string'));
}

function deliverSealed(msg: BusMessage, listener: BusListener | undefined, seal: BusSeal | undefined): void {
  let keys: string[] | undefined;
  let why = "it is sealed, and this store's L2 has neither encrypt nor hashKeys";
  if (seal !== undefined) {
    try {
      keys = seal.open(msg.x, msg.i);
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
    }
  }
  if (keys !== undefined) return listener?.keys(keys);
  listener?.clear();
  listener?.fault?.(why);
}
