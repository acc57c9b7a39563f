// memory.per-entry: 1,000,000 small entries, one child process per subject (clean heaps).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emit, printRow } from '../lib/harness.mjs';

const child = fileURLToPath(new URL('./memory-entry-child.mjs', import.meta.url));
const subjects = [
  'cachekit',
  'cachekit-freeze',
  'cachekit-noclone',
  'lru-cache',
  'async-map',
  'cache-manager',
  'cacheable',
  'bentocache',
];
const rows = [];
for (const subject of subjects) {
  const out = execFileSync(process.execPath, ['--expose-gc', child, subject], { encoding: 'utf8' });
  const row = {
    scenario: 'memory.per-entry',
    subject,
    entries: 1_000_000,
    ...JSON.parse(out.trim().split('\n').pop()),
  };
  printRow(row);
  rows.push(row);
}
emit(rows);
