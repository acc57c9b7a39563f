/**
 * Issue 23: the two-tier bus over LISTEN/NOTIFY when the Postgres L2 has `encrypt` and
 * `hashKeys`. A pg client LISTENs on the bus channel as anyone allowed to connect could: no key or
 * tag name in any payload while two apps stay coherent; a large deleteMany stays under NOTIFY's
 * 8000 bytes per payload once sealed; a key too long for any payload is sent as a clear; a
 * flipped byte empties the receiver's L1 and is counted. Each test in its own schema. Nothing is
 * timed: propagation is polled with a generous cap.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { CacheManager, InvalidationBus, PostgresStore } from '../../../src';
import { KEY_A } from '../../core/pipeline/pipeline-fixtures';
import { dropSchema, PG_URL, schemaName } from '../../support/postgres';
import { eventually } from '../../support/tiered-coherence';
import { exercise, NAMES, tieredApp, type TieredApp } from '../../support/tiered-names';

jest.setTimeout(120_000);

const until = (check: () => Promise<boolean>, what: string) => eventually(check, what, 60_000);
const L2 = { hashKeys: true, encrypt: { keys: [KEY_A] } };

let schema: string;
let prefix: string;
const managers: CacheManager[] = [];
const clients: pg.Client[] = [];
beforeEach(() => {
  schema = schemaName('seal');
  prefix = `seal-${randomBytes(4).toString('hex')}`;
});
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
  for (const c of clients.splice(0)) await c.end();
  await dropSchema(schema);
});

const app = (): Promise<TieredApp> =>
  tieredApp(prefix, { driver: 'postgres', url: PG_URL, schema, options: { max: 3 }, ...L2 }, managers);

/** The bus channel of `manager`'s Postgres store (a hash of table, namespace and bus name). */
function channelOf(manager: CacheManager): string {
  const store = manager.store('l2').driver as PostgresStore;
  const bus = store.createInvalidationBus(`${prefix}:\u0000bus`, 'probe', console) as InvalidationBus & {
    channel: string;
  };
  return bus.channel;
}

/** Every payload NOTIFY delivers on the bus channel, read by a plain pg client. */
async function listen(channel: string): Promise<{ payloads: string[]; notify(p: string): Promise<void> }> {
  const client = new pg.Client({ connectionString: PG_URL, application_name: 'cachekit-test-seal-listen' });
  clients.push(client);
  await client.connect();
  const payloads: string[] = [];
  client.on('notification', (n) => {
    if (n.channel === channel && n.payload !== undefined) payloads.push(n.payload);
  });
  await client.query(`LISTEN "${channel}"`);
  return {
    payloads,
    notify: async (p) => void (await client.query('SELECT pg_notify($1, $2)', [channel, p])),
  };
}

describe('two-tier bus over Postgres LISTEN/NOTIFY with a protected L2', () => {
  it('no key or tag name in any payload, and the L1s stay coherent', async () => {
    const [a, b] = await Promise.all([app(), app()]);
    const bus = await listen(channelOf(a.manager));
    await exercise(a.cache, b.cache);
    await until(async () => bus.payloads.some((p) => !p.includes('"x"')), 'the clear reached the listener');
    expect(bus.payloads.length).toBeGreaterThan(5);
    for (const p of bus.payloads) for (const name of NAMES) expect(p).not.toContain(name);
    expect(bus.payloads.every((p) => (JSON.parse(p) as { c?: number }).c === 1)).toBe(true);
    expect(a.cache.stats().errors + b.cache.stats().errors).toBe(0);
  });

  it('a deleteMany of 3,000 long keys: sealed payloads each under 8000 bytes, every copy dropped, no other', async () => {
    const [a, b] = await Promise.all([app(), app()]);
    const bus = await listen(channelOf(a.manager));
    const keys = Array.from({ length: 3000 }, (_, i) => `customer-${i}-${'x'.repeat(60)}`);
    // b's own writes fill its L1: no message of a is in flight to it.
    await b.cache.setMany(Object.fromEntries(keys.map((k) => [k, 1])));
    await b.cache.set('kept', 1);
    expect(b.l1Entries()).toBe(3001);
    expect(await a.cache.deleteMany(keys)).toBe(3000);
    await until(async () => b.l1Entries() === 1, "b's L1 dropped the 3,000 copies");
    expect(await b.cache.get('kept')).toBe(1); // not cleared: an L1 hit
    expect(b.l1Entries()).toBe(1);
    expect(bus.payloads.length).toBeGreaterThan(60); // twice 200 KB of keys
    for (const p of bus.payloads) {
      expect(Buffer.byteLength(p)).toBeLessThan(8000);
      expect(p).not.toContain('customer-');
    }
    expect([...a.warnings, ...b.warnings]).toEqual([]);
  });

  it('a key too long for any payload once sealed is sent as a clear: every other L1 emptied', async () => {
    const [a, b] = await Promise.all([app(), app()]);
    const bus = await listen(channelOf(a.manager));
    // 1,001 characters, 6,000 bytes of JSON (\u0002 each): more than a sealed payload can hold.
    const long = `k${'\u0002'.repeat(1000)}`;
    await b.cache.set('kept', 1);
    expect(b.l1Entries()).toBe(1);
    await a.cache.set(long, 'v');
    await until(async () => b.l1Entries() === 0, "b's L1 emptied by the clear");
    expect(await b.cache.get(long)).toBe('v');
    await until(async () => bus.payloads.some((p) => !p.includes('"x"')), 'the clear reached the listener');
    expect(bus.payloads.filter((p) => !p.includes('"x"')).map((p) => Object.keys(JSON.parse(p) as object))).toEqual([
      ['i', 'c'],
    ]);
    expect([...a.warnings, ...b.warnings]).toEqual([]);
  });

  it('a flipped byte: the receiver empties its L1 and counts an error; the bus goes on', async () => {
    const [a, b] = await Promise.all([app(), app()]);
    const bus = await listen(channelOf(a.manager));
    await b.cache.set('k', 1); // in b's L1, from its own write
    await a.cache.set('k', 2);
    await until(async () => (await b.cache.get('k')) === 2, "a's message reached b"); // nothing else in flight to b
    await until(async () => bus.payloads.length === 2, 'both messages reached the listener');
    const genuine = JSON.parse(bus.payloads[1]) as { x: string };
    const at = genuine.x.indexOf('.') + 5; // a base64 digit of the IV
    const other = genuine.x[at] === 'A' ? 'B' : 'A';
    expect(b.l1Entries()).toBe(1);
    await bus.notify(JSON.stringify({ ...genuine, x: `${genuine.x.slice(0, at)}${other}${genuine.x.slice(at + 1)}` }));
    await until(async () => b.cache.stats().errors === 1, 'b counted the forged message');
    await until(async () => b.l1Entries() === 0, "b's L1 emptied");
    expect(b.warnings).toEqual([expect.stringContaining('failed authentication')]);
    await a.cache.set('k', 3);
    await until(async () => (await b.cache.get('k')) === 3, 'a genuine message after the forged one');
  });
});
