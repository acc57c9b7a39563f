#!/usr/bin/env node
// Draws bench/results/latest.json as docs/benchmarks.svg: one group of horizontal bars per
// scenario (one bar per subject, throughput on a log scale, since the scenarios span 100 ops/s
// to millions), with the machine and versions in the caption. No dependencies.
//
//   node scripts/bench-chart.mjs [--in bench/results/latest.json] [--out docs/benchmarks.svg]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? resolve(args[i + 1]) : join(root, fallback);
};
const input = option('--in', 'bench/results/latest.json');
const output = option('--out', 'docs/benchmarks.svg');

const PALETTE = ['#1f6feb', '#8250df', '#2da44e', '#bf8700', '#cf222e', '#0a7d8c', '#6e7781', '#d4a72c'];
const WIDTH = 960;
const LABEL = 210; // left column: scenario and subject names
const VALUE = 90; // right column: the number
const BAR = 14;
const GAP = 4;
const GROUP_GAP = 14;

const escape = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function human(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(Math.round(n));
}

/** Throughput rows grouped by scenario, in the order they appear in the results. */
function scenarios(results) {
  const groups = new Map();
  for (const row of results) {
    if (typeof row.opsPerSec !== 'number' || !(row.opsPerSec > 0)) continue;
    const group = groups.get(row.scenario) ?? { scenario: row.scenario, unit: row.unit ?? 'ops/s', rows: [] };
    group.rows.push(row);
    groups.set(row.scenario, group);
  }
  return [...groups.values()];
}

function caption(data) {
  const m = data.machine ?? {};
  const machine = [
    m.cpu && `${m.cpu}${m.cores ? ` × ${m.cores} cores` : ''}`,
    m.memoryGb && `${m.memoryGb} GB`,
    m.platform,
  ]
    .filter(Boolean)
    .join(', ');
  const runtime = [m.node && `Node ${m.node}`, m.redis && `Redis ${m.redis}`].filter(Boolean).join(', ');
  const versions = Object.entries(data.versions ?? {})
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const dates = Object.values(data.groups ?? {})
    .map((g) => g.at)
    .filter(Boolean)
    .sort();
  const when = dates.length ? `run ${dates.at(-1).slice(0, 10)}` : '';
  return [[machine, runtime].filter(Boolean).join(' · '), [versions, when].filter(Boolean).join(' · ')];
}

function render(data) {
  const groups = scenarios(data.results ?? []);
  if (!groups.length) throw new Error(`${relative(root, input)} has no throughput rows (opsPerSec)`);
  const values = groups.flatMap((g) => g.rows.map((r) => r.opsPerSec));
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const plot = WIDTH - LABEL - VALUE;
  const x = (v) => LABEL + (plot * Math.log10(v / lo)) / Math.log10(hi / lo);
  const subjects = [...new Set(groups.flatMap((g) => g.rows.map((r) => r.subject)))];
  const color = (s) => PALETTE[subjects.indexOf(s) % PALETTE.length];

  const top = 56;
  const out = [];
  let y = top;
  for (const group of groups) {
    out.push(
      `<text x="8" y="${y + 11}" class="scenario">${escape(group.scenario)} <tspan class="unit">(${escape(group.unit)})</tspan></text>`,
    );
    y += BAR + GAP;
    for (const row of group.rows) {
      const w = Math.max(1, x(row.opsPerSec) - LABEL);
      const strong = row.subject === 'cachekit' ? ' font-weight="600"' : '';
      out.push(
        `<text x="${LABEL - 8}" y="${y + 11}" text-anchor="end" class="subject"${strong}>${escape(row.subject)}</text>`,
        `<rect x="${LABEL}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" rx="2" fill="${color(row.subject)}"><title>${escape(
          `${group.scenario} · ${row.subject}: ${row.opsPerSec.toLocaleString('en-US')} ${group.unit}`,
        )}</title></rect>`,
        `<text x="${(LABEL + w + 6).toFixed(1)}" y="${y + 11}" class="value">${human(row.opsPerSec)}</text>`,
      );
      y += BAR + GAP;
    }
    y += GROUP_GAP;
  }
  const bottom = y;
  const grid = [];
  for (let v = lo; v <= hi; v *= 10) {
    const gx = x(v).toFixed(1);
    grid.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${bottom - GROUP_GAP}" class="grid"/>`,
      `<text x="${gx}" y="${top - 10}" text-anchor="middle" class="axis">${human(v)}</text>`,
    );
  }
  const [line1, line2] = caption(data);
  const height = bottom + 40;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">
<style>
  .title { font-size: 15px; font-weight: 600; fill: #24292f; }
  .scenario { font-size: 12px; font-weight: 600; fill: #24292f; }
  .unit, .axis, .caption { fill: #57606a; font-weight: 400; }
  .subject { fill: #24292f; }
  .value { fill: #24292f; font-size: 11px; }
  .grid { stroke: #d0d7de; stroke-width: 1; }
  .caption { font-size: 11px; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="8" y="22" class="title">nestjs-cachekit benchmarks: throughput per scenario (higher is better, log scale)</text>
${grid.join('\n')}
${out.join('\n')}
<text x="8" y="${bottom + 8}" class="caption">${escape(line1)}</text>
<text x="8" y="${bottom + 24}" class="caption">${escape(line2)}</text>
</svg>
`;
}

const data = JSON.parse(readFileSync(input, 'utf8'));
writeFileSync(output, render(data));
console.log(`bench-chart: wrote ${relative(root, output)}`);
