/**
 * Issue 23: a two-tier store whose L2 has `encrypt` or `hashKeys` never puts key or tag names on
 * the bus. Two instances over one real redis-server (its own port), with a raw ioredis subscriber
 * on the bus channel reading every message as anyone allowed to SUBSCRIBE would: no name appears
 * in any of them while the two L1s stay coherent. Also: an instance that cannot read a sealed
 * message (no keys, another key, a flipped byte, a changed sender) empties its L1 and counts an
 * error, never ignores it; rotation ([B, A] reads what [A] sent); without either option the
 * messages are as they were (the control that shows the substring check can fail).
 * Nothing is timed: propagation is polled with a generous cap.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CacheManager } from '../../../src';
import { KEY_A, KEY_B } from '../../core/pipeline/pipeline-fixtures';
import { RedisServer } from '../../support/redis-server';
import { eventually } from '../../support/tiered-coherence';
import { exercise, NAMES, tieredApp, USER, type TieredApp } from '../../support/tiered-names';

jest.setTimeout(60_000);

const until = (check: () => Promise<boolean>, what: string) => eventually(check, what, 20_000);

let server: RedisServer;
const managers: CacheManager[] = [];
const subscribers: Redis[] = [];
beforeAll(async () => {
  server = await RedisServer.start();
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  for (const s of subscribers.splice(0)) s.disconnect();
});
afterAll(async () => {
  await server.stop();
});

const app = (prefix: string, l2: object): Promise<TieredApp> =>
  tieredApp(prefix, { driver: 'redis', url: server.url, ...l2 }, managers);

/** Every message on the bus channel of `prefix`, as a subscriber with no keys reads it. */
async function listen(prefix: string): Promise<{ messages: string[]; drain(): Promise<void>; raw: Redis }> {
  const channel = `${prefix}:\u0000bus`;
  const sub = new Redis(server.url);
  const raw = new Redis(server.url);
  subscribers.push(sub, raw);
  const messages: string[] = [];
  let marks = 0;
  sub.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    if (text.startsWith('mark-')) marks++;
    else messages.push(text);
  });
  await sub.subscribe(channel);
  return {
    messages,
    raw,
    /** Resolves once every message published before the call has arrived (one channel keeps its order). */
    async drain() {
      const want = marks + 1;
      await raw.publish(channel, `mark-${want}`);
      await until(async () => marks >= want, 'the subscriber caught up');
    },
  };
}

const PROTECTED = {
  'hashKeys and encrypt': { hashKeys: true, encrypt: { keys: [KEY_A] } },
  'encrypt alone': { encrypt: { keys: [KEY_A] } },
  'hashKeys alone ({ secret })': { hashKeys: { secret: KEY_B.secret } },
};

describe('two-tier bus over Redis pub/sub with a protected L2', () => {
  it.each(Object.entries(PROTECTED))(
    '%s: no key or tag name in any message, and the L1s stay coherent',
    async (_, l2) => {
      const prefix = `seal-${randomBytes(4).toString('hex')}`;
      const bus = await listen(prefix);
      const [a, b] = await Promise.all([app(prefix, l2), app(prefix, l2)]);
      await exercise(a.cache, b.cache);
      await bus.drain();
      expect(bus.messages.length).toBeGreaterThan(8);
      for (const text of bus.messages) for (const name of NAMES) expect(text).not.toContain(name);
      // Every key list is sealed; the one clear carries nothing but the sender.
      const parsed = bus.messages.map((t) => JSON.parse(t) as Record<string, unknown>);
      expect(parsed.filter((m) => m.k !== undefined)).toEqual([]);
      expect(parsed.every((m) => m.c === 1)).toBe(true);
      expect(parsed.filter((m) => m.x === undefined)).toHaveLength(1);
      expect(a.cache.stats().errors + b.cache.stats().errors).toBe(0);
      expect([...a.warnings, ...b.warnings]).toEqual([]);
    },
  );

  it('without encrypt or hashKeys (compress alone) the messages carry the names as before', async () => {
    const prefix = `plain-${randomBytes(4).toString('hex')}`;
    const bus = await listen(prefix);
    const [a, b] = await Promise.all([app(prefix, { compress: {} }), app(prefix, {})]);
    await exercise(a.cache, b.cache);
    await bus.drain();
    const all = bus.messages.join('\n');
    for (const name of NAMES) expect(all).toContain(name);
    expect(bus.messages.every((t) => (JSON.parse(t) as { x?: string }).x === undefined)).toBe(true);
  });

  it('an instance whose L2 has neither option empties its whole L1 on a sealed message, counts it and says why', async () => {
    const prefix = `mixed-${randomBytes(4).toString('hex')}`;
    const sealed = await app(prefix, { encrypt: { keys: [KEY_A] } });
    const plain = await app(prefix, {});
    // Its own writes fill its L1, and no message of the other is in flight to it.
    await plain.cache.set('one', 1);
    await plain.cache.set('two', 2);
    expect(plain.l1Entries()).toBe(2);
    await sealed.cache.set(USER, 'x'); // a key the plain instance does not even hold
    await until(async () => plain.l1Entries() === 0, "the plain instance's L1 emptied");
    expect(plain.cache.stats().errors).toBe(1);
    expect(plain.warnings).toEqual([
      `Cache store "near": an invalidation message from another instance could not be read (it is sealed, and this store's L2 has neither encrypt nor hashKeys); L1 emptied. Every instance needs the same encrypt.keys (or hashKeys secret) on its L2`,
    ]);
    // The other way round a plain message is read: an older instance's keys still invalidate.
    await sealed.cache.set('three', 3);
    await plain.cache.set('three', 'changed');
    await until(
      async () => (await sealed.cache.get('three')) === 'changed',
      'the plain message reached the sealed one',
    );
    expect(sealed.cache.stats().errors).toBe(0);
  });

  it('rotation: [B, A] reads what [A] sealed; [A] cannot read what [B, A] sealed, so it empties its L1', async () => {
    const prefix = `rot-${randomBytes(4).toString('hex')}`;
    const hashKeys = { secret: 'one hash secret for both instances, 32+ chars' };
    const old = await app(prefix, { hashKeys, encrypt: { keys: [KEY_A] } });
    const rotated = await app(prefix, { hashKeys, encrypt: { keys: [KEY_B, KEY_A] } });
    await rotated.cache.set('kept', 1);
    await rotated.cache.set(USER, 1);
    expect(rotated.l1Entries()).toBe(2);
    await until(async () => old.cache.stats().errors === 2, 'the old instance heard both (sealed with B)');
    await old.cache.set(USER, 2); // sealed with A
    await until(async () => rotated.l1Entries() === 1, "the rotated instance dropped the user's copy");
    expect(await rotated.cache.get('kept')).toBe(1); // an L1 hit: only the user's copy went
    expect(rotated.l1Entries()).toBe(1);
    expect(await rotated.cache.get(USER)).toBe(2);
    expect(rotated.cache.stats().errors).toBe(0);

    await old.cache.set('mine', 1);
    expect(old.l1Entries()).toBe(2); // 'mine' and the user
    await rotated.cache.delete('other'); // sealed with B, which the old instance lacks
    await until(async () => old.l1Entries() === 0, "the old instance's L1 emptied");
    expect(old.cache.stats().errors).toBe(3);
    expect(old.warnings).toEqual([
      expect.stringContaining(`(it was sealed with key "b", which is not in this L2's encrypt.keys)`),
    ]);
  });

  it('a flipped byte, a changed sender, a cut or malformed seal: L1 emptied and counted each time, the bus goes on', async () => {
    const prefix = `tamper-${randomBytes(4).toString('hex')}`;
    const l2 = { hashKeys: true, encrypt: { keys: [KEY_A] } };
    const bus = await listen(prefix);
    const [a, b] = await Promise.all([app(prefix, l2), app(prefix, l2)]);
    await b.cache.set(USER, 1); // in b's L1, from its own write
    await a.cache.set(USER, 2);
    await until(async () => (await b.cache.get(USER)) === 2, "a's message reached b"); // nothing else in flight to b
    await bus.drain();
    const genuine = JSON.parse(bus.messages.at(-1)!) as { i: string; c: 1; x: string };
    const dot = genuine.x.indexOf('.');
    const bytes = Buffer.from(genuine.x.slice(dot + 1), 'base64');
    const flip = (at: number) => {
      const copy = Buffer.from(bytes);
      copy[at] ^= 1;
      return `${genuine.x.slice(0, dot + 1)}${copy.toString('base64')}`;
    };
    const forged = [
      { ...genuine, x: flip(0) }, // the IV
      { ...genuine, x: flip(14) }, // the tag
      { ...genuine, x: flip(bytes.length - 1) }, // the ciphertext
      { ...genuine, i: 'another-sender' },
      { ...genuine, x: genuine.x.slice(0, dot + 20) },
      { ...genuine, x: `zz${genuine.x.slice(dot)}` },
      { ...genuine, x: 'no-dot-at-all' },
      { ...genuine, x: 42 },
    ];
    const channel = `${prefix}:\u0000bus`;
    for (const [n, message] of forged.entries()) {
      expect(await b.cache.get(USER)).toBe(2);
      expect(b.l1Entries()).toBe(1);
      await bus.raw.publish(channel, JSON.stringify(message));
      await until(async () => b.cache.stats().errors === n + 1, `b counted forged message ${n}`);
      await until(async () => b.l1Entries() === 0, `forged message ${n} emptied b's L1`);
    }
    // Logged once (then once per thousand), without the message or any secret.
    expect(b.warnings).toEqual([
      expect.stringContaining('could not be read (it failed authentication (tampered, or sealed with another secret))'),
    ]);
    // Still coherent.
    await a.cache.set(USER, 3);
    await until(async () => (await b.cache.get(USER)) === 3, 'a genuine message after the forged ones');
  });
});
