// postgres.*: get, set, getMany(100) and 100 concurrent gets of a 1 KB object on the machine's
// PostgreSQL (127.0.0.1:5432, database `test`), vs cache-manager over Keyv's Postgres adapter
// (@keyv/postgres) and BentoCache's Knex driver (L2 only); and tiered.get-hit over Postgres
// (memory L1) vs BentoCache memory + Knex and cache-manager memory + Keyv Postgres. Every
// subject gets a pool of 10 connections, and all work in one schema of their own, dropped after.
import KeyvPostgres from '@keyv/postgres';
import { BentoCache, bentostore } from 'bentocache';
import { knexDriver } from 'bentocache/drivers/knex';
import { memoryDriver } from 'bentocache/drivers/memory';
import { createCache } from 'cache-manager';
import knex from 'knex';
import { Keyv } from 'keyv';
import pg from 'pg';
import { ck, hasDriver } from '../lib/cachekit.mjs';
import { emit, runScenario, skip } from '../lib/harness.mjs';
import { object1kb } from '../lib/payloads.mjs';
import { bentoSubject, cachekitSubject } from '../lib/subjects.mjs';

const rows = [];
const skipped = [];
const URL_ = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Client({ connectionString: URL_ });
const reachable =
  hasDriver('postgres') &&
  (await admin.connect().then(
    () => true,
    () => false,
  ));
if (!reachable) {
  skip(
    skipped,
    'postgres',
    hasDriver('postgres') ? `PostgreSQL not reachable at ${URL_}` : 'postgres store not available',
  );
  emit(rows, skipped);
  process.exit(0);
}
const schema = `cachekit_bench_${process.pid}`;
await admin.query(`CREATE SCHEMA "${schema}"`);

const TTL_MS = 60_000;
const N = 1024;
const M = N - 1;
const keys = Array.from({ length: N }, (_, i) => `bench:user:${i}`);
const value = object1kb(1);
const POOL = 10;

const pgStore = (extra = {}) => ({ driver: 'postgres', url: URL_, schema, options: { max: POOL }, ...extra });
const manager = ck.createCacheManager({
  stores: {
    pg: pgStore(),
    pgsync: pgStore({ synchronousCommit: true, prefix: 'sync' }),
    mem: { driver: 'memory' },
    near: { driver: 'tiered', tiers: ['mem', 'pg'], prefix: 'near' },
  },
});
await manager.ready();
const keyvPg = () => new KeyvPostgres({ uri: URL_, schema, table: 'keyv', max: POOL });
const cm = createCache({ stores: [new Keyv({ store: keyvPg(), namespace: 'cm' })] });
const knexConn = () => knex({ client: 'pg', connection: URL_, searchPath: [schema], pool: { min: 0, max: POOL } });
const bento = new BentoCache({
  default: 'p',
  stores: { p: bentostore().useL2Layer(knexDriver({ connection: knexConn(), tableName: 'bento' })) },
});

const subjects = [
  cachekitSubject(manager.store('pg'), TTL_MS / 1000),
  { ...cachekitSubject(manager.store('pgsync'), TTL_MS / 1000), subject: 'cachekit-synccommit' },
  {
    subject: 'cache-manager',
    get: (k) => cm.get(k),
    set: (k, v) => cm.set(k, v, TTL_MS),
    getMany: (ks) => cm.mget(ks),
  },
  bentoSubject(bento, TTL_MS),
];
for (const s of subjects) {
  for (const k of keys) await s.set(k, value);
  if ((await s.get(keys[3]))?.id !== 1) throw new Error(`${s.subject}: postgres get-hit failed`);
}
const batches = Array.from({ length: 16 }, (_, b) =>
  keys
    .slice(b * 64, b * 64 + 100)
    .concat(keys)
    .slice(0, 100),
);
const opts = { rounds: 5, roundMs: 600, warmupMs: 400 };
const scenario = async (name, op, extra = {}) =>
  rows.push(
    ...(await runScenario(
      name,
      subjects.map((s) => ({ subject: s.subject, op: op(s) })),
      { ...opts, ...extra },
    )),
  );
await scenario('postgres.get.1kb', (s) => (i) => s.get(keys[i & M]));
await scenario('postgres.set.1kb', (s) => (i) => s.set(keys[i & M], value));
await scenario('postgres.getMany100.1kb', (s) => (i) => s.getMany(batches[i & 15]), { perOp: 100, unit: 'keys/s' });
await scenario('postgres.concurrent100.1kb', (s) => (i) => Promise.all(batches[i & 15].map((k) => s.get(k))), {
  perOp: 100,
  unit: 'keys/s',
});

// Two tiers: a hit in the memory L1 of a store whose L2 is Postgres.
const cmTiered = createCache({
  stores: [new Keyv({ namespace: 'cmt' }), new Keyv({ store: keyvPg(), namespace: 'cmt' })],
});
const bentoTiered = new BentoCache({
  default: 't',
  stores: {
    t: bentostore()
      .useL1Layer(memoryDriver({ maxItems: 10_000 }))
      .useL2Layer(knexDriver({ connection: knexConn(), tableName: 'bento_t' })),
  },
});
const tiered = [
  cachekitSubject(manager.store('near'), 60),
  { subject: 'cache-manager', get: (k) => cmTiered.get(k), set: (k, v) => cmTiered.set(k, v, TTL_MS) },
  bentoSubject(bentoTiered, TTL_MS),
];
for (const s of tiered) {
  for (let i = 0; i < N; i++) await s.set(keys[i], object1kb(i));
  for (let i = 0; i < N; i++) await s.get(keys[i]);
  if ((await s.get(keys[5]))?.id !== 5) throw new Error(`${s.subject}: tiered get-hit failed`);
}
rows.push(
  ...(await runScenario(
    'postgres.tiered-hit.1kb',
    tiered.map((s) => ({ subject: s.subject, op: (i) => s.get(keys[i & M]) })),
  )),
);

// @keyv/postgres shares one pg pool per URI: the second disconnect finds it ended.
for (const close of [
  () => manager.close(),
  () => cm.disconnect(),
  () => cmTiered.disconnect(),
  () => bento.disconnectAll(),
  () => bentoTiered.disconnectAll(),
])
  await Promise.resolve()
    .then(close)
    .catch(() => undefined);
await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
await admin.end();
emit(rows, skipped);
process.exit(0);
