/**
 * package.json's entry points follow the sources (scripts/package-exports.mjs): every
 * src/<name>/index.ts is `nestjs-cachekit/<name>` with an `import` and a `require` condition.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve('.');
type Conditions = Record<'import' | 'require', { types: string; default: string }>;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, Conditions | string>;
  typesVersions: { '*': Record<string, string[]> };
};

describe('package.json entry points', () => {
  it('are up to date with src/*/index.ts (npm run exports)', () => {
    expect(() =>
      execFileSync(process.execPath, ['scripts/package-exports.mjs', '--check'], { cwd: root, stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('name one subpath per src folder with an index.ts, each with both builds and their types', () => {
    const folders = readdirSync(join(root, 'src')).filter((d) => existsSync(join(root, 'src', d, 'index.ts')));
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './package.json', ...folders.map((f) => `./${f}`)].sort());
    for (const folder of ['', ...folders]) {
      const base = folder ? `${folder}/index` : 'index';
      expect(pkg.exports[folder ? `./${folder}` : '.']).toEqual({
        import: { types: `./dist/esm/${base}.d.ts`, default: `./dist/esm/${base}.js` },
        require: { types: `./dist/cjs/${base}.d.ts`, default: `./dist/cjs/${base}.js` },
      });
      if (folder) expect(pkg.typesVersions['*'][folder]).toEqual([`./dist/cjs/${base}.d.ts`]);
    }
  });

  it('fail the check when package.json lags behind the sources', () => {
    const stale = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    delete (stale.exports as Record<string, unknown>)['./testing'];
    const script = `
      const { checkExports } = await import('./scripts/package-exports.mjs');
      console.log(JSON.stringify(checkExports(${JSON.stringify(stale)})));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['"exports" does not match src/*/index.ts (run: npm run exports)']);
  });
});
