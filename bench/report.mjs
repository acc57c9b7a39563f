// Renders bench/results/latest.json as the Markdown table in docs/benchmarks.md
// (between the <!-- bench:start --> and <!-- bench:end --> markers). `node bench/report.mjs`
import { readFileSync, writeFileSync } from 'node:fs';

const latest = JSON.parse(readFileSync(new URL('./results/latest.json', import.meta.url), 'utf8'));
const docPath = new URL('../docs/benchmarks.md', import.meta.url);
const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
const lines = [];
const m = latest.machine;
lines.push(
  `Machine of the last run: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}, Redis ${m.redis}; load average during the run ${m.loadAverage.join(' / ')}.`,
);
// Groups kept from earlier runs keep their own date, CPU and load (recorded since issue 23).
const perGroup = Object.entries(latest.groups ?? {})
  .filter(([, g]) => g.loadAverage)
  .map(
    ([name, g]) =>
      `\`${name}\` ${g.at.slice(0, 16).replace('T', ' ')} UTC on ${g.cpu}, load ${g.loadAverage.join(' / ')}`,
  );
if (perGroup.length) lines.push('', `Per group: ${perGroup.join('; ')}.`);
lines.push('', '| scenario | subject | median | min – max |', '|---|---|---:|---|');
for (const r of latest.results) {
  if (r.loaderCalls !== undefined)
    lines.push(`| ${r.scenario} | ${r.subject} | ${r.loaderCalls} loader call(s) / ${r.callers} | ${r.ms} ms |`);
  else if (r.unit === 'ms') lines.push(`| ${r.scenario} | ${r.subject} | ${r.ms} ms | ${r.min} – ${r.max} ms |`);
  else if (r.bytesPerEntry !== undefined)
    lines.push(
      `| ${r.scenario} | ${r.subject} | ${r.bytesPerEntry} B/entry (RSS) | heap ${r.heapBytesPerEntry} B/entry |`,
    );
  else {
    const ratio = r.ratio !== undefined ? ` (${r.ratio}× ${r.ratioTo ?? 'cachekit'})` : '';
    const inside = r.deflatedBytes !== undefined ? `; ${r.deflatedBytes} deflated bytes inside` : '';
    lines.push(
      `| ${r.scenario} | ${r.subject} | ${fmt(r.opsPerSec)} ${r.unit}${ratio}${inside} | ${fmt(r.min)} – ${fmt(r.max)} |`,
    );
  }
}
lines.push('', '| target | status | ratio |', '|---|---|---:|');
for (const t of latest.targets) lines.push(`| ${t.target} | ${t.status} | ${t.ratio ?? t.value ?? ''} |`);
if (latest.skipped?.length) lines.push('', ...latest.skipped.map((s) => `- skipped ${s.what}: ${s.why}`));
const doc = readFileSync(docPath, 'utf8');
const out = doc
  .replace(
    /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
    `<!-- bench:start -->\n${lines.join('\n')}\n<!-- bench:end -->`,
  )
  .replace(
    /<!-- scale:start -->[\s\S]*<!-- scale:end -->/,
    `<!-- scale:start -->\n${scaleCurves().join('\n')}\n<!-- scale:end -->`,
  );
writeFileSync(docPath, out);
console.log(`updated ${docPath.pathname}`);

/**
 * The `scale.*` rows as curves: one line per `scale.<what>.*.<where>` and subject, one column per
 * point in run order, and the spread (slowest / fastest point, or largest / smallest time).
 */
function scaleCurves() {
  const curves = new Map();
  for (const r of latest.results) {
    const m = /^scale\.([^.]+)\.([^.]+)\.([^.]+)$/.exec(r.scenario);
    if (!m) continue;
    const id = `scale.${m[1]}.*.${m[3]} | ${r.subject}`;
    const c = curves.get(id) ?? { id, points: [] };
    c.points.push({ point: m[2], row: r });
    curves.set(id, c);
  }
  if (!curves.size) return ['(no scale rows yet: `npm run bench -- scale`)'];
  const cell = (r) =>
    r.loaderCalls !== undefined
      ? `${r.loaderCalls} loader calls / ${r.callers} callers, ${r.ms} ms`
      : r.unit === 'ms'
        ? `${r.ms} ms`
        : `${fmt(r.opsPerSec)} ${r.unit}`;
  const out = ['| curve | subject | points | spread | vs peer, per point |', '|---|---|---|---:|---|'];
  const value = (r) => (r.unit === 'ms' ? r.ms : r.opsPerSec);
  for (const c of curves.values()) {
    const [curve, subject] = c.id.split(' | ');
    const first = c.points[0].row;
    // A spread says something when the points are amounts of work (keys, entries), not payload sizes.
    const sized = c.points.some((p) => /^\d+(kb|mb)$/.test(p.point));
    const values = c.points.map((p) => value(p.row)).filter((v) => v > 0);
    const spread =
      values.length > 1 && first.loaderCalls === undefined && !sized
        ? first.unit === 'ms'
          ? `${(Math.max(...values) / Math.min(...values)).toFixed(2)}× slower at most`
          : `${(Math.min(...values) / Math.max(...values)).toFixed(2)}× of the fastest`
        : '';
    // cachekit against the other subject of the same curve, point by point.
    // The peer is another library or a floor, never another cachekit configuration.
    const peer =
      subject === 'cachekit'
        ? [...curves.values()].find(
            (o) => o.id.startsWith(`${curve} |`) && !o.id.split(' | ')[1].startsWith('cachekit'),
          )
        : undefined;
    const vs = peer
      ? `vs ${peer.id.split(' | ')[1]}: ${c.points
          .map((p) => {
            const q = peer.points.find((x) => x.point === p.point);
            return q ? `${(value(p.row) / value(q.row)).toFixed(2)}×` : '–';
          })
          .join(' · ')}`
      : '';
    out.push(
      `| ${curve} | ${subject} | ${c.points.map((p) => `${p.point}: ${cell(p.row)}`).join(' · ')} | ${spread} | ${vs} |`,
    );
  }
  return out;
}
