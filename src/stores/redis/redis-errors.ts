import { CacheError, CacheTimeoutError, CacheUnavailableError } from '../../core/cache.errors';
import { redactSecrets } from '../../core/format';
import type { RedisTarget } from './redis-store.options';

/** Where the store connects, for messages (never with a password). */
export function describeTarget(target: RedisTarget): string {
  if (target.client) return 'the provided client';
  if (target.cluster) {
    const nodes = target.cluster.nodes.map((n) => (typeof n === 'string' ? redactSecrets(n) : `${n.host}:${n.port}`));
    return `cluster ${nodes.join(', ')}`;
  }
  if (target.sentinel) {
    return `sentinel master "${target.sentinel.name}" via ${target.sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(', ')}`;
  }
  if (target.url) return redactSecrets(target.url);
  return `${target.options?.host ?? '127.0.0.1'}:${target.options?.port ?? 6379}`;
}

/**
 * ioredis' own words for "not connected" (offline queue off, socket closed, retries exhausted),
 * which speak of client internals: messages say what it means for the store instead.
 */
const NOT_CONNECTED = [
  "Stream isn't writeable",
  "isn't ready and enableOfflineQueue",
  'Connection is closed',
  'Reached the max retries per request limit',
];
const NO_NODE = ['None of startup nodes is available', 'Failed to refresh slots cache'];

/**
 * The message of a failure. Not `instanceof Error`: errors of node:net may come from another
 * realm (a test runner's VM context), and `String(err)` would prefix "Error: ".
 */
export function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}

/** The text of an ioredis failure in the store's terms, without credentials. */
export function describeFailure(err: unknown, target: string): string {
  const message = messageOf(err);
  if (message.startsWith('All sentinels are unreachable')) return 'no sentinel answers';
  if (NO_NODE.some((m) => message.includes(m))) return 'no cluster node answers';
  if (NOT_CONNECTED.some((m) => message.includes(m))) {
    return `not connected to Redis at ${target} (reconnecting in the background)`;
  }
  return redactSecrets(message);
}

/** Whether Redis refused the credentials (a configuration problem rather than an outage). */
export function isAuthFailure(err: unknown): boolean {
  return /WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username-password/i.test(messageOf(err));
}

/** Maps an ioredis failure to the cache's typed errors. */
export function toStoreError(store: string, op: string, err: unknown, timeout: number, target: string): CacheError {
  if (err instanceof CacheError) return err;
  const message = messageOf(err);
  if (message === 'Command timed out') return new CacheTimeoutError(store, op, timeout);
  const text = describeFailure(err, target);
  return new CacheUnavailableError(store, op, err instanceof Error && text === message ? err : new Error(text));
}

/** Rejects with a timeout error when `promise` takes longer than `ms` (for user-owned clients). */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Command timed out')), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
