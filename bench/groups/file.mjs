// file.*: get and set of a 1 KB object on the local disk, vs BentoCache's file driver.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BentoCache, bentostore } from 'bentocache';
import { fileDriver } from 'bentocache/drivers/file';
import { ck, hasDriver } from '../lib/cachekit.mjs';
import { emit, runScenario, skip } from '../lib/harness.mjs';
import { object1kb } from '../lib/payloads.mjs';
import { stampede } from './stampede.mjs';
import { bentoSubject, cachekitSubject } from '../lib/subjects.mjs';

const rows = [];
const skipped = [];
if (!hasDriver('file')) {
  skip(skipped, 'file', 'file store not available');
  emit(rows, skipped);
  process.exit(0);
}
const dir = mkdtempSync(join(os.tmpdir(), 'cachekit-bench-file-'));
const N = 256;
const keys = Array.from({ length: N }, (_, i) => `file:user:${i}`);
const value = object1kb(1);
const manager = ck.createCacheManager({ stores: { disk: { driver: 'file', directory: join(dir, 'kit') } } });
await manager.ready?.();
const kit = manager.default;
const bento = new BentoCache({
  default: 'f',
  stores: { f: bentostore().useL2Layer(fileDriver({ directory: join(dir, 'bento'), pruneInterval: false })) },
});
const subjects = [cachekitSubject(kit, 60), bentoSubject(bento, 60_000)];
for (const s of subjects) {
  for (const k of keys) await s.set(k, value);
  if ((await s.get(keys[2]))?.id !== 1) throw new Error(`${s.subject}: file get-hit failed`);
}
const opts = { rounds: 5, roundMs: 500 };
rows.push(
  ...(await runScenario(
    'file.get.1kb',
    subjects.map((s) => ({ subject: s.subject, op: (i) => s.get(keys[i % N]) })),
    opts,
  )),
);
rows.push(
  ...(await runScenario(
    'file.set.1kb',
    subjects.map((s) => ({ subject: s.subject, op: (i) => s.set(keys[i % N], value) })),
    opts,
  )),
);
for (const s of subjects) rows.push(await stampede('stampede.file', s.subject, s.remember));
await manager.close();
await bento.disconnectAll();
rmSync(dir, { recursive: true, force: true });
emit(rows, skipped);
