// The targets of issue 10, checked against one run's rows (ratios of medians in the same run).
const find = (rows, scenario, subject) => rows.find((r) => r.scenario === scenario && r.subject === subject);

// `peerScenario` compares against another scenario's row (the cached route vs the constant route).
const ratio = (scenario, subject, peer, min, { field = 'opsPerSec', lowerIsBetter = false, peerScenario } = {}) => ({
  target: `${scenario} ${subject} ${lowerIsBetter ? '<=' : '>='} ${min}× ${peerScenario ? `${peerScenario} ` : ''}${peer}`,
  check(rows) {
    const a = find(rows, scenario, subject)?.[field];
    const b = find(rows, peerScenario ?? scenario, peer)?.[field];
    if (a === undefined || b === undefined) return { status: 'not run' };
    const r = Math.round((a / b) * 100) / 100;
    return { status: (lowerIsBetter ? r <= min : r >= min) ? 'met' : 'missed', ratio: r };
  },
});

const exact = (scenario, subject, calls) => ({
  target: `${scenario} ${subject} loaderCalls == ${calls}`,
  check(rows) {
    const row = find(rows, scenario, subject);
    if (!row) return { status: 'not run' };
    return { status: row.loaderCalls === calls ? 'met' : 'missed', value: row.loaderCalls };
  },
});

// The points of one curve stay within `factor` of each other: ratio = slowest / fastest.
const within = (scenarios, subject, factor) => ({
  target: `${scenarios[0].replace(/\.[^.]+\.([^.]+)$/, '.*.$1')} ${subject} within ${factor}× across ${scenarios.map((s) => s.split('.').at(-2)).join('|')}`,
  check(rows) {
    const values = scenarios.map((s) => find(rows, s, subject)?.opsPerSec);
    if (values.some((v) => v === undefined)) return { status: 'not run' };
    const r = Math.round((Math.min(...values) / Math.max(...values)) * 100) / 100;
    return { status: r >= 1 / factor ? 'met' : 'missed', ratio: r };
  },
});

export const TARGETS = [
  ratio('memory.get-hit.1kb', 'cachekit', 'cacheable', 5),
  ratio('memory.get-hit.1kb', 'cachekit', 'bentocache', 5),
  ratio('memory.get-hit.1kb', 'cachekit', 'cache-manager', 0.5),
  ratio('memory.get-hit.str', 'cachekit', 'cache-manager', 1.0),
  ratio('memory.get-hit.1kb', 'cachekit-noclone', 'async-map', 0.4),
  ratio('memory.set.1kb', 'cachekit', 'cache-manager', 1.0),
  ratio('memory.remember-hit.1kb', 'cachekit', 'cache-manager', 1.0),
  // Issue 19: isolation by default >= 0.4x lru-cache, freeze >= 0.8x, bytes per entry <= 1.0x.
  ratio('memory.get-hit.1kb', 'cachekit', 'lru-cache', 0.4),
  ratio('memory.get-hit.1kb', 'cachekit-freeze', 'lru-cache', 0.8),
  ratio('memory.per-entry', 'cachekit', 'lru-cache', 1.0, { field: 'bytesPerEntry', lowerIsBetter: true }),
  // Issue 20: a memory get hit with an exporter on keeps >= 0.8x of its speed (rows' own baseline).
  ...['events.get-hit.1kb', 'events.get-hit.str'].flatMap((s) => [
    ratio(s, 'cachekit+otel', 'cachekit', 0.8),
    ratio(s, 'cachekit+prometheus', 'cachekit', 0.8),
  ]),
  ...['redis.get.1kb', 'redis.set.1kb', 'redis.getMany100.1kb', 'redis.concurrent100.1kb'].flatMap((s) => [
    ratio(s, 'cachekit', 'ioredis', 0.9),
    ratio(s, 'cachekit', 'cache-manager', 1.5),
  ]),
  // Issue 19: coalesced gets (MGET) and sets (one pipeline write), and no cost with nothing to coalesce.
  ratio('redis.concurrent100.1kb', 'cachekit', 'ioredis', 2.0),
  ratio('redis.concurrent-set100.1kb', 'cachekit', 'ioredis', 1.3),
  ratio('redis.get.1kb', 'cachekit', 'ioredis', 0.97),
  ratio('redis.set.1kb', 'cachekit', 'ioredis', 0.97),
  ratio('tiered.get-hit.1kb', 'cachekit', 'bentocache', 5),
  // Issue 19: an L1 hit costs about what a hit on our memory store costs.
  ratio('tiered.get-hit.1kb', 'cachekit', 'cachekit-memory', 0.9),
  // Issue 19: a read through a tagged view costs about what an untagged read costs.
  ratio('tags.get-hit.redis.1kb', 'cachekit+tags', 'cachekit', 0.9),
  ratio('tags.get-hit.memory.1kb', 'cachekit+tags', 'cachekit', 0.85),
  ...['postgres.getMany100.1kb', 'postgres.concurrent100.1kb'].flatMap((s) => [
    ratio(s, 'cachekit', 'cache-manager', 1.5),
    ratio(s, 'cachekit', 'bentocache', 1.5),
  ]),
  ...['postgres.get.1kb', 'postgres.set.1kb'].flatMap((s) => [
    ratio(s, 'cachekit', 'cache-manager', 1.0),
    ratio(s, 'cachekit', 'bentocache', 1.0),
  ]),
  exact('stampede.memory', 'cachekit', 1),
  exact('stampede.redis', 'cachekit', 1),
  exact('stampede.file', 'cachekit', 1),
  exact('stampede.tiered', 'cachekit', 1),
  exact('stampede.lock-4proc.redis', 'cachekit', 1),
  exact('stampede.lock-4proc.file', 'cachekit', 1),
  // Issue 19. The bare framework (`http.raw-*`, subject `raw`) is printed as the ceiling, not a target.
  ratio('http.cached-route', 'cachekit', 'nestjs-cache-manager', 1.15),
  ratio('http.cached-route', 'cachekit', 'const', 1.05, { peerScenario: 'http.const-route' }),
  ratio('http.cached-route.fastify', 'cachekit', 'nestjs-cache-manager', 1.3),
  ratio('http.cached-route.fastify', 'cachekit', 'const', 1.0, { peerScenario: 'http.const-route.fastify' }),
  exact('stampede.http-50', 'cachekit', 1),
  // File store vs BentoCache's file driver (issue 19).
  ratio('file.get.1kb', 'cachekit', 'bentocache', 1.5),
  ratio('file.set.1kb', 'cachekit', 'bentocache', 1.0),
  // Scaling (issue 19, bench/groups/scale.mjs): the bigger point vs the smaller one of the same run.
  ...['memory', 'redis'].map((st) =>
    within(
      [10, 100, 1000, 10000].map((n) => `scale.getMany.${n}.${st}`),
      'cachekit',
      2,
    ),
  ),
  ratio('scale.get-hit.1e6.memory', 'cachekit', 'cachekit', 0.8, { peerScenario: 'scale.get-hit.1e3.memory' }),
  ratio('scale.get.1e5.file', 'cachekit', 'cachekit', 0.7, { peerScenario: 'scale.get.1e3.file' }),
  ...['memory', 'redis'].map((st) =>
    ratio(`scale.flush.1e5.${st}`, 'cachekit', 'cachekit', 2, {
      field: 'ms',
      lowerIsBetter: true,
      peerScenario: `scale.flush.1e3.${st}`,
    }),
  ),
  ...['1kb', '100kb', '1mb'].map((size) => ratio(`scale.get.${size}.redis`, 'cachekit', 'ioredis', 0.9)),
  exact('scale.remember.1000x100.memory', 'cachekit', 100),
  exact('scale.remember.1000x100.redis', 'cachekit', 100),
];

export function checkTargets(rows) {
  return TARGETS.map((t) => ({ target: t.target, ...t.check(rows) }));
}
