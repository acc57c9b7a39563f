import { resolve } from 'node:path';
import type { StoreConfig } from './cache-options';

/**
 * Which configured stores can share a backend: the pairs for which nested namespaces are worth a
 * start-up warning (`create-cache-manager.ts`). Decided from the configuration alone (no
 * connection, no DNS), so two spellings of one address are told apart only as far as they are
 * normalised here:
 * - a built-in `memory` store is an instance of its own (shared only by a two-tier store that
 *   has it as a tier);
 * - `file` stores share one when their directories resolve to the same path;
 * - `redis` stores when they reach the same server and database: the same `client` object, or
 *   the same host, port and `db` from `url`/`options` (as ioredis merges them; its defaults `localhost:6379`, db 0;
 *   `localhost`, `127.0.0.1` and `::1` are one host), any node in common between `cluster`s (or a
 *   client's own address or startup nodes), or a sentinel and master `name` in common;
 * - `postgres` stores when they use the same table (schema and name) of the same database: the
 *   same `pool`/`client` object, or the same host, port and database from `url`/`options`;
 * - `keyv` stores when they use the same Keyv instance, adapter or `Map` (or a Keyv instance over
 *   the same adapter);
 * - a two-tier store shares the backends of its two tiers;
 * - a custom store (`driver: <CacheStore>` or a factory) may hold anything: it may share a backend
 *   with every store but a built-in memory store.
 * Stores of different drivers otherwise never share one: their keys do not meet.
 */

/** Where a store keeps its entries: a driver family and the identities of its backend. */
type Backend = { family: string; ids: readonly unknown[] } | 'unknown';

export function mayShareBackend(a: string, b: string, stores: Record<string, StoreConfig>): boolean {
  const ofA = backendsOf(a, stores);
  const ofB = backendsOf(b, stores);
  return ofA.some((x) => ofB.some((y) => sameBackend(x, y)));
}

function sameBackend(x: Backend, y: Backend): boolean {
  if (x === 'unknown' || y === 'unknown') {
    const other = x === 'unknown' ? y : x;
    return other === 'unknown' || other.family !== 'memory';
  }
  return x.family === y.family && x.ids.some((id) => y.ids.includes(id));
}

/** The backends a store writes to (a two-tier store: its tiers'). */
function backendsOf(name: string, stores: Record<string, StoreConfig>, seen = new Set<string>()): Backend[] {
  const config = Object.hasOwn(stores, name) ? stores[name] : undefined;
  if (config === undefined || seen.has(name)) return [];
  seen.add(name);
  const options = config as unknown as Record<string, unknown>;
  switch (config.driver) {
    case 'memory':
      return [{ family: 'memory', ids: [`memory:${name}`] }];
    case 'file':
      return [{ family: 'file', ids: [typeof options.directory === 'string' ? resolve(options.directory) : name] }];
    case 'redis':
      return [{ family: 'redis', ids: redisIds(options) }];
    case 'postgres':
      return [{ family: 'postgres', ids: postgresIds(options) }];
    case 'keyv':
      return [{ family: 'keyv', ids: keyvIds(options.store) }];
    case 'tiered': {
      const tiers = Array.isArray(options.tiers) ? (options.tiers as unknown[]) : [];
      return tiers.flatMap((tier) => (typeof tier === 'string' ? backendsOf(tier, stores, seen) : []));
    }
    default:
      return typeof config.driver === 'string' ? [] : ['unknown'];
  }
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function host(value: unknown): string {
  const h = typeof value === 'string' && value !== '' ? value.toLowerCase() : 'localhost';
  return LOCAL_HOSTS.has(h) ? 'localhost' : h;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** A URL's parts (host, port, path), or undefined when it does not parse. */
function urlParts(url: unknown): { host: string; port: string; path: string } | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const u = new URL(url);
    return { host: u.hostname, port: u.port, path: decodeURIComponent(u.pathname.replace(/^\//, '')) };
  } catch {
    return undefined;
  }
}

function redisAddress(h: unknown, port: unknown, db: unknown): string {
  return `${host(h)}:${String(port || 6379)}/${Number(db) || 0}`;
}

/** One ioredis node as given: `'host:port'`, a URL, or `{ host, port }`. */
function redisNode(node: unknown): string {
  if (typeof node === 'string') {
    const parts = urlParts(node.includes('://') ? node : `redis://${node}`);
    return parts ? redisAddress(parts.host, parts.port, 0) : node;
  }
  const n = record(node);
  return redisAddress(n.host, n.port, 0);
}

function redisIds(options: Record<string, unknown>): unknown[] {
  if (options.client !== undefined) {
    const client = record(options.client);
    const own = record(client.options);
    const nodes = Array.isArray(client.startupNodes) ? (client.startupNodes as unknown[]).map(redisNode) : [];
    const address = own.host !== undefined || own.port !== undefined ? [redisAddress(own.host, own.port, own.db)] : [];
    return [options.client, ...address, ...nodes];
  }
  if (options.cluster !== undefined) {
    const nodes = record(options.cluster).nodes;
    return Array.isArray(nodes) ? nodes.map(redisNode) : [];
  }
  if (options.sentinel !== undefined) {
    const sentinel = record(options.sentinel);
    const sentinels = Array.isArray(sentinel.sentinels) ? (sentinel.sentinels as unknown[]) : [];
    return sentinels.map((s) => `sentinel:${redisNode(s)}:${String(sentinel.name)}/${Number(sentinel.db) || 0}`);
  }
  // `url`, with `options` beside it filling in what the URL leaves out, as ioredis merges them.
  const parts = urlParts(options.url);
  const given = record(options.options);
  return [redisAddress(parts?.host || given.host, parts?.port || given.port, parts?.path || given.db)];
}

function postgresIds(options: Record<string, unknown>): unknown[] {
  const table = `${typeof options.schema === 'string' ? options.schema : ''}.${typeof options.table === 'string' ? options.table : 'cachekit_entries'}`;
  const connection = options.pool ?? options.client;
  if (connection !== undefined) return [`${objectId(connection)}|${table}`];
  const parts = urlParts(options.url);
  const given = record(options.options);
  const database = given.database ?? parts?.path ?? '';
  return [
    `${host(given.host ?? parts?.host)}:${String(given.port ?? (parts?.port || 5432))}/${String(database)}|${table}`,
  ];
}

function keyvIds(store: unknown): unknown[] {
  const target = record(store);
  // A Keyv instance over an adapter: the adapter is what holds the entries.
  const inner = target.store ?? record(target.opts).store;
  return typeof inner === 'object' && inner !== null ? [store, inner] : [store];
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

/** A stable number per object, for identities that combine an object and a string. */
function objectId(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  let id = objectIds.get(value);
  if (id === undefined) objectIds.set(value, (id = ++nextObjectId));
  return `#${id}`;
}
