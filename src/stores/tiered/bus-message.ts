import type { BusListener } from './invalidation-bus';

/**
 * The wire format of the built-in buses (Redis pub/sub, Postgres NOTIFY):
 * `{ i: sender id, k?: keys, c?: 1 for clear }` as JSON; values never travel.
 */
export interface BusMessage {
  i: string;
  k?: string[];
  c?: 1;
}

/** Hands a received message to `listener`, ignoring this instance's own (`selfId`) and anything not ours. */
export function deliverBusMessage(text: string, selfId: string, listener: BusListener | undefined): void {
  let msg: BusMessage;
  try {
    msg = JSON.parse(text) as BusMessage;
  } catch {
    return; // not ours: ignore
  }
  if (!msg || typeof msg !== 'object' || msg.i === selfId || typeof msg.i !== 'string') return;
  if (msg.c === 1) listener?.clear();
  else if (Array.isArray(msg.k)) listener?.keys(msg.k.filter((k) => typeof k === 'string'));
}
