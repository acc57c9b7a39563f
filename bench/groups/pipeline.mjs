// pipeline.*: the value pipeline on Redis (issue 23), beside cache-manager 7 over Keyv 5 and
// @keyv/redis, with and without Keyv's gzip adapter (@keyv/compress-gzip). For a 1 KB, 64 KB and
// 1 MB JSON value:
//   pipeline.<set|get>.<size>.redis   ops/s of set / get-hit
//   pipeline.bytes.<size>.redis       bytes stored in Redis per entry (STRLEN)
// Subjects, all interleaved in the same rounds: cachekit (no pipeline option), cachekit+gzip
// (compress, threshold 0: every value compressed, as Keyv's adapter does), cachekit+gzip+aes,
// cachekit+aes, cache-manager (object values) and cache-manager+gzip. Keyv's gzip adapter
// throws on an object value (pako is handed the object itself), so cache-manager+gzip is given
// the JSON text and parses what it reads back: the only way it runs, and what its users must do.
// Rows carry `ratio` to `ratioTo`: our subjects and cache-manager to cachekit, cache-manager+gzip
// to cache-manager (what compression costs within each library).
// Before any timing, every subject must read back a deep-equal copy of its value, and its stored
// bytes must decode to that value: ours through the store, Keyv's by inflating the stored bytes.
import { deepStrictEqual } from 'node:assert';
import { inflateSync } from 'node:zlib';
import KeyvGzip from '@keyv/compress-gzip';
import KeyvRedis from '@keyv/redis';
import { createCache } from 'cache-manager';
import Redis from 'ioredis';
import { Keyv } from 'keyv';
import { ck, hasDriver } from '../lib/cachekit.mjs';
import { emit, printRow, runScenario, skip } from '../lib/harness.mjs';
import { object1kb } from '../lib/payloads.mjs';
import { startRedis } from '../lib/redis-server.mjs';

const rows = [];
const skipped = [];
if (!hasDriver('redis')) {
  skip(skipped, 'pipeline', 'redis store not available');
  emit(rows, skipped);
  process.exit(0);
}
const server = await startRedis();
// Every key this group writes is under PREFIX (REDIS_URL may name a shared server), and is
// deleted at the end.
const PREFIX = `bench-pipeline-${process.pid}`;
const raw = new Redis(server.url);
const KEY = { id: 'k1', secret: 'bench: a string secret of 32+ characters' };
const OURS = {
  cachekit: {},
  'cachekit+gzip': { compress: { threshold: 0 } },
  'cachekit+gzip+aes': { compress: { threshold: 0 }, encrypt: { keys: [KEY] } },
  'cachekit+aes': { encrypt: { keys: [KEY] } },
};
const SIZES = {
  '1kb': object1kb(1),
  '64kb': Array.from({ length: 64 }, (_, i) => object1kb(i)),
  '1mb': Array.from({ length: 1024 }, (_, i) => object1kb(i)),
};
const TTL_S = 600;
const manager = ck.createCacheManager({
  prefix: PREFIX,
  stores: Object.fromEntries(
    Object.entries(OURS).map(([n, o]) => [n, { driver: 'redis', url: server.url, prefix: n, ...o }]),
  ),
});
await manager.ready();

/** A cache-manager over Keyv over @keyv/redis, its keys under `${PREFIX}-<ns>`. */
function cacheManager(ns, compression) {
  const redis = new KeyvRedis(server.url, { namespace: `${PREFIX}-${ns}` });
  const keyv = new Keyv({ store: redis, namespace: `${PREFIX}-${ns}`, ...(compression ? { compression } : {}) });
  return { keyv, cm: createCache({ stores: [keyv] }) };
}
const cmPlain = cacheManager('cm');
const cmGzip = cacheManager('cmgz', new KeyvGzip());

const subjects = [
  ...Object.keys(OURS).map((name) => ({
    subject: name,
    ratioTo: 'cachekit',
    set: (k, v) => manager.store(name).set(k, v, TTL_S),
    get: (k) => manager.store(name).get(k),
    redisKey: (k) => `${PREFIX}:${name}:${k}`,
  })),
  {
    subject: 'cache-manager',
    ratioTo: 'cachekit',
    set: (k, v) => cmPlain.cm.set(k, v, TTL_S * 1000),
    get: (k) => cmPlain.cm.get(k),
    redisKey: (k) => findKey(`${PREFIX}-cm`, k),
  },
  {
    subject: 'cache-manager+gzip',
    ratioTo: 'cache-manager',
    set: (k, v) => cmGzip.cm.set(k, JSON.stringify(v), TTL_S * 1000),
    get: async (k) => {
      const text = await cmGzip.cm.get(k);
      return text === undefined ? undefined : JSON.parse(text);
    },
    redisKey: (k) => findKey(`${PREFIX}-cmgz`, k),
  },
];

/** The Redis key @keyv/redis chose for `k` in namespace `ns` (found, not guessed). */
async function findKey(ns, k) {
  const found = [];
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${ns}:*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys.filter((key) => key.endsWith(`:${k}`)));
  } while (cursor !== '0');
  if (found.length !== 1) throw new Error(`${ns}: expected one Redis key for ${k}, found ${found.length}`);
  return found[0];
}

// Checks what the stored bytes say, beyond "get returned the value": ours is read back through
// a store with the same options, Keyv's gzip entry is inflated by hand.
const notes = [];
/** Returns the deflated payload's size when the entry holds one that is not its own bytes. */
async function checkStored(s, key, value, size, bytes) {
  const stored = await raw.get(await s.redisKey(key));
  if (s.subject === 'cache-manager+gzip') {
    const entry = JSON.parse(stored);
    // Keyv 5.6's serializer writes the adapter's Uint8Array as an object of indexed bytes
    // ({"0":120,"1":156,…}); a Buffer would have been base64.
    const body = entry.value;
    const deflated = Uint8Array.from(
      typeof body === 'string' && body.startsWith(':base64:')
        ? Buffer.from(body.slice(8), 'base64')
        : Object.keys(body).map((i) => body[i]),
    );
    deepStrictEqual(JSON.parse(inflateSync(deflated).toString('utf8')), value);
    notes.push(`${size}: cache-manager+gzip holds ${deflated.length} deflated bytes in a ${bytes}-byte entry`);
    return deflated.length;
  }
  if (s.subject === 'cachekit+gzip' && stored.includes('"uuid"'))
    throw new Error(`cachekit+gzip: the ${size} entry holds plain JSON`);
  return undefined;
}

const bytesOf = {};
const deflatedOf = {};
for (const [size, value] of Object.entries(SIZES)) {
  const key = `v:${size}`;
  const heavy = size === '1mb' ? { roundMs: 1000 } : {};
  for (const s of subjects) {
    await s.set(key, value);
    // Every subject reads back what it wrote (a deep-equal hit), or the row measures nothing.
    deepStrictEqual(await s.get(key), value, `${s.subject}: ${size} did not round-trip`);
    const bytes = await raw.strlen(await s.redisKey(key));
    bytesOf[`${size}:${s.subject}`] = bytes;
    deflatedOf[`${size}:${s.subject}`] = await checkStored(s, key, value, size, bytes);
  }
  for (const [peer, base] of [
    ['cachekit+gzip', 'cachekit'],
    ['cache-manager+gzip', 'cache-manager'],
  ]) {
    const b = bytesOf[`${size}:${peer}`];
    const p = bytesOf[`${size}:${base}`];
    if (b >= p) notes.push(`${size}: ${peer} stores MORE than ${base} (${b} vs ${p} bytes)`);
  }
  if (bytesOf[`${size}:cachekit+gzip`] >= bytesOf[`${size}:cachekit`])
    throw new Error(`cachekit+gzip does not make the ${size} entry smaller`);
  const withRatios = (scenarioRows) => {
    for (const row of scenarioRows)
      ratio(
        row,
        scenarioRows.find((r) => r.subject === row.ratioTo),
      );
    return scenarioRows;
  };
  const scenario = async (name, op) =>
    withRatios(
      (
        await runScenario(
          name,
          subjects.map((s) => ({ subject: s.subject, op: () => op(s) })),
          heavy,
        )
      ).map((row, n) => ({ ...row, ratioTo: subjects[n].ratioTo })),
    );
  rows.push(
    ...(await scenario(`pipeline.set.${size}.redis`, (s) => s.set(key, value))),
    ...(await scenario(`pipeline.get.${size}.redis`, (s) => s.get(key))),
  );
  const bytesRows = subjects.map((s) => {
    const bytes = bytesOf[`${size}:${s.subject}`];
    const row = {
      scenario: `pipeline.bytes.${size}.redis`,
      subject: s.subject,
      opsPerSec: bytes,
      min: bytes,
      max: bytes,
      unit: 'bytes',
      rounds: 1,
      ratioTo: s.ratioTo,
    };
    const deflated = deflatedOf[`${size}:${s.subject}`];
    if (deflated !== undefined) row.deflatedBytes = deflated;
    printRow(row);
    return row;
  });
  rows.push(...withRatios(bytesRows));
}
for (const n of notes) console.log(`  note: ${n}`);

/** Sets `ratio` (this row's median / its baseline's, same scenario and run) and prints it. */
function ratio(row, base) {
  if (row.subject === row.ratioTo || !base) {
    if (row.subject === row.ratioTo) delete row.ratioTo;
    return;
  }
  row.ratio = Math.round((row.opsPerSec / base.opsPerSec) * 100) / 100;
  console.log(`  ${row.scenario.padEnd(28)} ${row.subject.padEnd(22)} ${row.ratio}× ${row.ratioTo}`);
}

await manager.close();
await Promise.all([cmPlain.cm.disconnect(), cmGzip.cm.disconnect()]);
for (const ns of [PREFIX, `${PREFIX}-cm`, `${PREFIX}-cmgz`]) {
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${ns}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await raw.del(...keys);
  } while (cursor !== '0');
}
raw.disconnect();
await server.stop();
emit(rows, skipped);
process.exit(0);
