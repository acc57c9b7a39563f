/**
 * scripts/check-cycles.mjs (part of `npm run lint`): fails on any import cycle in src/, type-only
 * edges included, and passes on src/ as it is (known cycles allowlisted with a warning).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const script = join(process.cwd(), 'scripts/check-cycles.mjs');

function check(root: string) {
  const run = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

describe('check-cycles', () => {
  let dir: string;
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cycles-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on this repository (known cycles only warn)', () => {
    const { status, out } = check(join(process.cwd(), 'src'));
    expect(out).not.toMatch(/^error:/m);
    expect(status).toBe(0);
  });

  it('passes on a graph without cycles', () => {
    write({ 'a.ts': "import { b } from './b';\nexport const a = b;", 'b.ts': 'export const b = 1;' });
    expect(check(dir)).toMatchObject({ status: 0 });
  });

  it('fails on a cycle closed by a type-only import, and says it is type-only', () => {
    write({
      'a.ts': "import { b } from './b';\nexport interface A { n: number }\nexport const a = b;",
      'sub/index.ts': "import type { A } from '../a';\nexport type B = A;",
      'b.ts': "import type { B } from './sub';\nexport const b: B | 1 = 1;",
    });
    const { status, out } = check(dir);
    expect(status).toBe(1);
    expect(out).toMatch(/error: import type-only cycle among 3 files/);
    expect(out).toContain('b.ts ⇢ (type) sub/index.ts');
    expect(out).toContain('a.ts → b.ts');
  });

  it('fails on a value cycle through re-exports and import(), and names it a value cycle', () => {
    write({
      'a.ts': "export * from './b';\nexport const a = 1;",
      'b.ts': "export const load = () => import('./a');",
    });
    const { status, out } = check(dir);
    expect(status).toBe(1);
    expect(out).toMatch(/error: import value cycle \(a\.ts -> b\.ts\)/);
  });

  it('counts `import type` inside a type position too', () => {
    write({
      'a.ts': "import './b';\nexport const a = 1;",
      'b.ts': "export type A = typeof import('./a');",
    });
    expect(check(dir)).toMatchObject({ status: 1 });
  });
});
