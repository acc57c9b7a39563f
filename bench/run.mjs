// npm run bench [-- <group> ...]   groups: memory stampede redis file tiered postgres http events tags scale
// Each group runs in its own process; rows are merged into bench/results/latest.json
// (rows of groups not run this time are kept from the previous file).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTargets } from './lib/targets.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const GROUPS = {
  memory: ['memory.mjs', 'memory-entry.mjs'],
  stampede: ['stampede.mjs', 'stampede-lock.mjs'],
  redis: ['redis.mjs'],
  file: ['file.mjs'],
  tiered: ['tiered.mjs'],
  postgres: ['postgres.mjs'],
  http: ['http.mjs', 'http-module.mjs'],
  events: ['events.mjs'],
  tags: ['tags.mjs'],
  scale: ['scale.mjs'],
  pipeline: ['pipeline.mjs'],
};
const asked = process.argv.slice(2);
for (const g of asked)
  if (!GROUPS[g]) throw new Error(`unknown group "${g}"; groups: ${Object.keys(GROUPS).join(', ')}`);
const groups = asked.length ? asked : Object.keys(GROUPS);

const tmp = mkdtempSync(join(os.tmpdir(), 'cachekit-bench-'));
const rows = [];
const skipped = [];
const ran = {};
for (const group of groups) {
  console.log(`\n## ${group}`);
  const started = Date.now();
  for (const file of GROUPS[group]) {
    const out = join(tmp, `${file}.json`);
    const res = spawnSync(process.execPath, ['--expose-gc', here(`./groups/${file}`)], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_OUT: out },
    });
    if (res.status !== 0) {
      console.log(`  ${file}: FAILED (exit ${res.status})`);
      skipped.push({ what: `${group}/${file}`, why: `failed with exit code ${res.status}` });
      continue;
    }
    const data = JSON.parse(readFileSync(out, 'utf8'));
    rows.push(...data.rows.map((r) => ({ group, ...r })));
    skipped.push(...data.skipped.map((s) => ({ group, ...s })));
  }
  // Per group, since groups of one file may come from different runs (and machines).
  ran[group] = {
    at: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    cpu: os.cpus()[0]?.model,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const latestPath = here('./results/latest.json');
const previous = existsSync(latestPath) ? JSON.parse(readFileSync(latestPath, 'utf8')) : undefined;
const kept = (previous?.results ?? []).filter((r) => !groups.includes(r.group));
const results = [...kept, ...rows];
const require = createRequire(import.meta.url);
// Packages whose `exports` hide package.json (keyv, cache-manager, …) are read from node_modules.
const version = (p) => {
  try {
    return require(`${p}/package.json`).version;
  } catch {
    const file = here(`../node_modules/${p}/package.json`);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : undefined;
  }
};
const cpus = os.cpus();
const latest = {
  machine: {
    cpu: cpus[0]?.model,
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    redis: redisVersion(),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  },
  versions: Object.fromEntries(
    [
      'nestjs-cachekit',
      'lru-cache',
      'cache-manager',
      'cacheable',
      'bentocache',
      'keyv',
      '@keyv/redis',
      '@keyv/postgres',
      '@keyv/compress-gzip',
      'pg',
      'knex',
      'ioredis',
      '@nestjs/cache-manager',
      '@nestjs/core',
      'autocannon',
    ].map((p) => [p, p === 'nestjs-cachekit' ? require('../package.json').version : version(p)]),
  ),
  groups: { ...(previous?.groups ?? {}), ...ran },
  results,
  skipped: [...(previous?.skipped ?? []).filter((s) => !groups.includes(s.group)), ...skipped],
};
latest.targets = checkTargets(results);
writeFileSync(latestPath, JSON.stringify(latest, null, 2) + '\n');
console.log('\n## targets');
for (const t of latest.targets) {
  const r = t.ratio === undefined ? 'n/a' : `${t.ratio}×`;
  console.log(`  ${t.status.padEnd(7)} ${t.target.padEnd(62)} ${r}`);
}
console.log(`\nwrote ${latestPath}`);

// The Markdown table in docs/benchmarks.md, and the chart (scripts/bench-chart.mjs, when present).
for (const script of [here('./report.mjs'), here('../scripts/bench-chart.mjs')]) {
  if (!existsSync(script)) continue;
  const res = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (res.status !== 0) console.log(`  ${script}: failed (exit ${res.status})`);
}

function redisVersion() {
  try {
    return execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1];
  } catch {
    return undefined;
  }
}
