// Instructions per operation from the dumps of bench/lib/_cg-hit.mjs: node bench/lib/_cg-sum.mjs [dir] [ops]
// Each measured block `<name>-<ops>` minus its empty twin `<name>-0` (the callgrind_control spawn),
// divided by ops; prints the least over the repetitions (early ones can carry compilation and
// collection of the fill's garbage, which only ever add instructions), then each repetition.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.argv[2] ?? '.';
const ops = Number(process.argv[3] ?? process.env.CG_OPS ?? 20000);
const blocks = new Map();
const part = (n) => Number(n.split('.')[3] ?? 0);
const dumps = readdirSync(dir).filter((n) => n.startsWith('callgrind.out.'));
for (const f of dumps.sort((a, b) => part(a) - part(b))) {
  const text = readFileSync(join(dir, f), 'utf8');
  const trigger = /^desc: Trigger: (?:Client Request: |dump )(\S+)-(\d+)$/m.exec(text);
  const total = /^(?:summary|totals): (\d+)/m.exec(text);
  if (!trigger || !total) continue;
  const [, name, n] = trigger;
  const list = blocks.get(name) ?? { empty: [], full: [] };
  (n === '0' ? list.empty : list.full).push(Number(total[1]));
  blocks.set(name, list);
}
for (const [name, { empty, full }] of blocks) {
  const per = full.map((v, i) => (v - (empty[i] ?? 0)) / ops);
  console.log(`${name}\t${Math.min(...per).toFixed(0)} instr/op\t(${per.map((x) => x.toFixed(0)).join(', ')})`);
}
