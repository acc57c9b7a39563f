// pipeline.*: the value pipeline on Redis (issue 23). For a 1 KB, 64 KB and 1 MB JSON value:
//   pipeline.<set|get>.<size>.redis   ops/s of set / get-hit, subjects: plain, gzip, gzip+aes, aes
//   pipeline.bytes.<size>.redis       bytes stored in Redis per entry (STRLEN), same subjects
// cache-manager with Keyv's gzip adapter (@keyv/compress-gzip) is not installed in this project:
// its rows are reported as skipped.
import Redis from 'ioredis';
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
const raw = new Redis(server.url);
const KEY = { id: 'k1', secret: 'bench: a string secret of 32+ characters' };
const SUBJECTS = {
  plain: {},
  gzip: { compress: { threshold: '1kb' } },
  'gzip+aes': { compress: { threshold: '1kb' }, encrypt: { keys: [KEY] } },
  aes: { encrypt: { keys: [KEY] } },
};
const SIZES = {
  '1kb': object1kb(1),
  '64kb': Array.from({ length: 64 }, (_, i) => object1kb(i)),
  '1mb': Array.from({ length: 1024 }, (_, i) => object1kb(i)),
};
const manager = ck.createCacheManager({
  prefix: 'pipe',
  stores: Object.fromEntries(
    Object.entries(SUBJECTS).map(([n, o]) => [n, { driver: 'redis', url: server.url, prefix: n, ...o }]),
  ),
});
await manager.ready();

for (const [size, value] of Object.entries(SIZES)) {
  const heavy = size === '1mb' ? { roundMs: 1000 } : {};
  for (const name of Object.keys(SUBJECTS)) {
    await manager.store(name).set(`v:${size}`, value, 600);
    // Every subject reads what it wrote (a hit), or the row measures nothing.
    if ((await manager.store(name).get(`v:${size}`)) === undefined) throw new Error(`${name}: no hit`);
  }
  rows.push(
    ...(await runScenario(
      `pipeline.set.${size}.redis`,
      Object.keys(SUBJECTS).map((name) => ({
        subject: name,
        op: () => manager.store(name).set(`v:${size}`, value, 600),
      })),
      heavy,
    )),
    ...(await runScenario(
      `pipeline.get.${size}.redis`,
      Object.keys(SUBJECTS).map((name) => ({ subject: name, op: () => manager.store(name).get(`v:${size}`) })),
      heavy,
    )),
  );
  for (const name of Object.keys(SUBJECTS)) {
    const bytes = await raw.strlen(`pipe:${name}:v:${size}`);
    const row = {
      scenario: `pipeline.bytes.${size}.redis`,
      subject: name,
      opsPerSec: bytes,
      min: bytes,
      max: bytes,
      unit: 'bytes',
      rounds: 1,
    };
    printRow(row);
    rows.push(row);
  }
  skip(skipped, `pipeline.*.${size}.redis cache-manager+@keyv/compress-gzip`, '@keyv/compress-gzip is not installed');
}

await manager.close();
raw.disconnect();
await server.stop();
emit(rows, skipped);
process.exit(0);
