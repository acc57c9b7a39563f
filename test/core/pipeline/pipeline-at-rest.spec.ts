/**
 * The value pipeline as stored (issue 23): on Redis, the file store and Postgres, what the backend
 * holds (no plaintext of a value; with hashKeys, no key or tag name), key rotation, tampered,
 * truncated and moved entries (a miss and a counted error, never a value or an exception), and
 * entries written before or after either option was turned on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCacheManager, type Cache, type CacheManager } from '../../../src';
import { dropSchema, PG_URL, schemaName } from '../../support/postgres';
import { RedisServer } from '../../support/redis-server';
import { KEY_A, KEY_B } from './pipeline-fixtures';
import { fileRaw, postgresRaw, redisRaw, type RawBackend } from './raw-backends';

let redis: RedisServer;
const dir = mkdtempSync(join(tmpdir(), 'cachekit-at-rest-'));
const schemas: string[] = [];
beforeAll(async () => (redis = await RedisServer.start()));
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
  for (const s of schemas) await dropSchema(s);
});

interface Backend {
  /** The store config of one test's backend (same place for every manager of the test). */
  config(pipeline: object): Record<string, unknown>;
  raw(): RawBackend;
}

let n = 0;
const BACKENDS: Record<string, (prefix: string) => Backend> = {
  redis: (prefix) => ({
    config: (p) => ({ driver: 'redis', url: redis.url, ...p }),
    raw: () => redisRaw(redis.url, prefix),
  }),
  file: (prefix) => {
    const d = join(dir, prefix);
    return { config: (p) => ({ driver: 'file', directory: d, pruneInterval: 0, ...p }), raw: () => fileRaw(d) };
  },
  postgres: (prefix) => {
    const schema = schemaName('rest');
    schemas.push(schema);
    return {
      config: (p) => ({ driver: 'postgres', url: PG_URL, schema, sweepInterval: 0, timeout: 10_000, ...p }),
      raw: () => postgresRaw(schema, prefix),
    };
  },
};

const PERSONAL = 'Ada Lovelace, 10 St James Square, ada@example.org';
const ENC_A = { encrypt: { keys: [KEY_A] } };
const ENC_BA = { encrypt: { keys: [KEY_B, KEY_A] } };

describe.each(Object.keys(BACKENDS))('%s', (name) => {
  let prefix: string;
  let backend: Backend;
  let raw: RawBackend;
  const managers: CacheManager[] = [];
  const logged: string[] = [];
  const logger = { warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };

  beforeEach(() => {
    prefix = `rest${++n}`;
    backend = BACKENDS[name](prefix);
    raw = backend.raw();
    logged.length = 0;
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
    await raw.close();
  });

  /** A cache over this test's backend with `pipeline` options. */
  async function cache(pipeline: object = {}) {
    const manager = createCacheManager({ prefix, logger, stores: { s: backend.config(pipeline) as never } });
    await manager.ready();
    managers.push(manager);
    return manager.store('s');
  }

  const userValue = () => ({ name: PERSONAL, notes: PERSONAL.repeat(50), when: new Date(0) });

  it('with encrypt (and compress), no stored text holds a value or its compressed form in clear', async () => {
    for (const pipeline of [ENC_A, { ...ENC_A, compress: { threshold: 0 } }]) {
      const c = await cache(pipeline);
      await c.set('profile', userValue());
      await c.set('plain-string', PERSONAL);
      await c.tags(['t']).set('tagged', { who: PERSONAL });
      await c.setMany({ m1: PERSONAL, m2: [PERSONAL] });
      expect(await c.get('profile')).toEqual(userValue());
      expect(await c.getMany(['plain-string', 'm1', 'm2'])).toEqual({
        'plain-string': PERSONAL,
        m1: PERSONAL,
        m2: [PERSONAL],
      });
      expect(await c.get('tagged')).toEqual({ who: PERSONAL });
      const entries = await raw.entries();
      expect(entries.length).toBeGreaterThanOrEqual(5);
      for (const e of entries) {
        // Needles a random ciphertext cannot hold by chance: a 3-letter one ('Ada') is in about 2% of
        // 5 KB base64 texts, which made this fail now and then with the value well encrypted.
        for (const needle of ['Ada Lovelace', 'Lovelace', 'example.org', 'St James'])
          expect(e.value).not.toContain(needle);
        // Every value entry is encrypted (counters and tag versions are numbers: decimal text).
        if (!/^-?\d/.test(e.value)) expect(e.value.startsWith('\u0001ea.')).toBe(true);
      }
      await c.clear();
    }
  });

  it('with compress alone, large values are stored compressed and shorter; small ones as they were', async () => {
    const c = await cache({ compress: { threshold: '1kb' } });
    await c.set('big', userValue());
    await c.set('small', 'tiny');
    const entries = await raw.entries();
    const big = entries.find((e) => e.value.startsWith('\u0001zg'))!;
    expect(big).toBeDefined();
    expect(big.value.length).toBeLessThan(JSON.stringify(userValue()).length / 4);
    expect(entries.some((e) => e.value === 'J"tiny"')).toBe(true);
    expect(await c.get('big')).toEqual(userValue());
  });

  it('with hashKeys, neither key names nor tag names are stored; everything still works', async () => {
    const c = await cache({ ...ENC_A, hashKeys: true });
    await c.tags(['secret-tag']).set('user:ada@example.org', { n: 1 });
    await c.set('counter-ada', 1);
    await c.increment('counter-ada', 2);
    expect(await c.get('user:ada@example.org')).toEqual({ n: 1 });
    expect(await c.get('counter-ada')).toBe(3);
    const entries = await raw.entries();
    for (const e of entries) {
      // 'ada' alone is hex (and base64): it turns up in hashed names by chance; 'ada@' cannot.
      for (const needle of ['ada@', 'secret-tag', 'user:', 'counter']) expect(e.key).not.toContain(needle);
    }
    await c.tags(['secret-tag']).flush();
    expect(await c.get('user:ada@example.org')).toBeUndefined();
    await c.clear();
    expect(await raw.entries()).toEqual([]);
  });

  it('rotation: written under key A, read with [B, A]; new writes use B, which [A] alone cannot read', async () => {
    const old = await cache(ENC_A);
    await old.set('k', userValue());
    const rotated = await cache(ENC_BA);
    expect(await rotated.get('k')).toEqual(userValue());
    await rotated.set('k2', 'under b');
    const stored = (await raw.entries()).map((e) => e.value.slice(0, 4));
    expect(stored.sort()).toEqual(['\u0001ea.', '\u0001eb.']);
    expect(await old.get('k2')).toBeUndefined();
    expect(old.stats().errors).toBe(1);
    expect(logged.join('\n')).toMatch(/encrypted with key "b", which is not in encrypt\.keys/);
  });

  /** Writes `victim` and `other`, then changes the stored text of `victim` (the file store removes a bad one). */
  async function corrupt(change: (text: string) => string, existing?: Cache) {
    const c = existing ?? (await cache({ ...ENC_A, compress: { threshold: 0 } }));
    await c.setMany({ victim: userValue(), other: 'intact' });
    const [victim] = (await raw.entries()).filter((e) => e.value.length > 200);
    await raw.write(victim.id, change(victim.value));
    return c;
  }

  const flip = (t: string, at: number) => t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);

  it.each([
    ['a flipped byte of the ciphertext', (t: string) => flip(t, t.length - 10)],
    ['a flipped byte of the IV', (t: string) => flip(t, 6)],
    ['a flipped byte of the tag', (t: string) => flip(t, 22)],
    ['a changed key id', (t: string) => t.replace('\u0001ea.', '\u0001eb.')],
    ['a truncated entry', (t: string) => t.slice(0, Math.floor(t.length / 2))],
    ['an entry cut after its key id', (t: string) => t.slice(0, 4)],
    ['an entry cut inside its IV', (t: string) => t.slice(0, 12)],
    ['an entry without its key id', (t: string) => t.slice(0, 2)],
    ['an unknown pipeline format', (t: string) => '\u0001x' + t.slice(2)],
  ])('%s is a miss and a counted error, never a value or an exception', async (_what, change) => {
    const c = await corrupt(change);
    expect(await c.get('victim')).toBeUndefined();
    expect(c.stats().errors).toBe(1);
    // In a batch: one miss and one error, the other key a hit.
    await corrupt(change, c);
    expect(await c.getMany(['victim', 'other'])).toEqual({ victim: undefined, other: 'intact' });
    expect(c.stats().errors).toBe(2);
    expect(await c.has('victim')).toBe(false);
    // The secret is never in a message.
    expect(logged.join('\n')).not.toContain(KEY_A.secret);
  });

  it('an encrypted entry copied under another key fails authentication (the key is bound to it)', async () => {
    const c = await cache(ENC_A);
    await c.set('alice', 'alice-data');
    await c.set('mallory', 'mallory-data');
    const entries = await raw.entries();
    const alice = entries.find((e) => e.key.endsWith('alice'))!;
    const mallory = entries.find((e) => e.key.endsWith('mallory'))!;
    await raw.write(mallory.id, alice.value);
    expect(await c.get('mallory')).toBeUndefined();
    expect(c.stats().errors).toBe(1);
    expect(await c.get('alice')).toBe('alice-data');
  });

  it('a compressed entry that does not inflate is a miss and a counted error', async () => {
    const c = await cache({ compress: { threshold: 0 } });
    await c.set('k', userValue());
    const [e] = await raw.entries();
    await raw.write(e.id, e.value.slice(0, 3) + Buffer.from('not gzip at all').toString('base64'));
    expect(await c.get('k')).toBeUndefined();
    expect(c.stats().errors).toBe(1);
  });

  it('entries written before an option was turned on stay readable; new ones use it; both coexist', async () => {
    const before = await cache();
    await before.set('old-obj', userValue());
    await before.set('old-n', 42);
    await before.increment('old-counter', 5);
    const after = await cache({ ...ENC_A, compress: { threshold: 0 } });
    expect(await after.get('old-obj')).toEqual(userValue());
    expect(await after.get('old-n')).toBe(42);
    expect(await after.increment('old-counter', 1)).toBe(6);
    await after.set('new-obj', userValue());
    expect(await after.getMany(['old-obj', 'new-obj'])).toEqual({ 'old-obj': userValue(), 'new-obj': userValue() });
    // compress turned off again: compressed entries stay readable.
    const compressed = await cache({ compress: { threshold: 0 } });
    await compressed.set('z', userValue());
    const plainAgain = await cache();
    expect(await plainAgain.get('z')).toEqual(userValue());
    // encrypt turned off: an encrypted entry is a miss and a counted error (no key to read it).
    expect(await plainAgain.get('new-obj')).toBeUndefined();
    expect(plainAgain.stats().errors).toBe(1);
    expect(after.stats().errors).toBe(0);
  });

  it('numbers stay decimal text, so increment stays atomic under encryption', async () => {
    const c = await cache(ENC_A);
    await c.set('n', 7);
    expect(await c.increment('n', 3)).toBe(10);
    expect((await raw.entries()).map((e) => e.value)).toEqual(['10']);
  });

  it('health and stats never show a secret', async () => {
    const c = await cache({ ...ENC_A, hashKeys: { secret: 'a separate hash secret of 32 chars!!' } });
    await c.set('k', 1);
    const shown = JSON.stringify([await c.health(), c.stats(), await managers[0].health()]);
    expect(shown).not.toContain(KEY_A.secret);
    expect(shown).not.toContain('separate hash secret');
  });
});
