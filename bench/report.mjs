// Renders bench/results/latest.json as the Markdown table in docs/benchmarks.md
// (between the <!-- bench:start --> and <!-- bench:end --> markers). `node bench/report.mjs`
import { readFileSync, writeFileSync } from 'node:fs';

const latest = JSON.parse(readFileSync(new URL('./results/latest.json', import.meta.url), 'utf8'));
const docPath = new URL('../docs/benchmarks.md', import.meta.url);
const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
const lines = [];
const m = latest.machine;
lines.push(
  `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}, Redis ${m.redis}; load average during the run ${m.loadAverage.join(' / ')}.`,
);
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
    const ratio = r.ratio !== undefined ? ` (${r.ratio}× cachekit)` : '';
    lines.push(
      `| ${r.scenario} | ${r.subject} | ${fmt(r.opsPerSec)} ${r.unit}${ratio} | ${fmt(r.min)} – ${fmt(r.max)} |`,
    );
  }
}
lines.push('', '| target | status | ratio |', '|---|---|---:|');
for (const t of latest.targets) lines.push(`| ${t.target} | ${t.status} | ${t.ratio ?? t.value ?? ''} |`);
if (latest.skipped?.length) lines.push('', ...latest.skipped.map((s) => `- skipped ${s.what}: ${s.why}`));
const doc = readFileSync(docPath, 'utf8');
const out = doc.replace(
  /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
  `<!-- bench:start -->\n${lines.join('\n')}\n<!-- bench:end -->`,
);
writeFileSync(docPath, out);
console.log(`updated ${docPath.pathname}`);
