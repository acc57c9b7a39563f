/**
 * The published declarations carry the public API only: the build strips `@internal` members
 * (`stripInternal`), and the Cache's internals (its collaborators, the tagged write paths that
 * TaggedCache reaches through a private TaggedAccess object) never appear as public members.
 * Reads the real build output (scripts/build.mjs), both module systems.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve('.');
const dist = join(root, 'dist');

function declarations(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...declarations(path));
    else if (name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The members a class declaration shows that are not private, by name. */
function publicMembers(text: string, className: string): string[] {
  const start = text.indexOf(`declare class ${className} `);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = text.slice(start, text.indexOf('\n}', start));
  const names: string[] = [];
  for (const line of body.split('\n').slice(1)) {
    const m = /^ {4}(?!private |\*|\/)(?:readonly |static |get |set |protected )*(#?[\w$]+)[?(<:]/.exec(line);
    if (m) names.push(m[1]);
  }
  return names;
}

describe('published declarations', () => {
  let files: string[];

  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    files = [...declarations(join(dist, 'cjs')), ...declarations(join(dist, 'esm'))];
  }, 300_000);

  it('contain no @internal member (stripInternal)', () => {
    expect(files.length).toBeGreaterThan(50);
    const leaking = files.filter((f) => readFileSync(f, 'utf8').includes('@internal')).map((f) => relative(dist, f));
    expect(leaking).toEqual([]);
  });

  it("show none of the Cache's internals as public members", () => {
    for (const build of ['cjs', 'esm']) {
      const text = readFileSync(join(dist, build, 'core', 'cache.d.ts'), 'utf8');
      const members = publicMembers(text, 'Cache');
      expect(members).toEqual(expect.arrayContaining(['get', 'set', 'remember', 'tags', 'stats']));
      for (const internal of [
        'writeOne',
        'addTagged',
        'setManyTagged',
        'rememberTagged',
        'flushTags',
        'evicted',
        'inspect',
        'write',
        'rememberWith',
        'keys',
        'meter',
        'guard',
        'entries',
        'loads',
        'tagged',
        'backend',
        'settings',
      ]) {
        expect(members).not.toContain(internal);
      }
      // The collaborators' types stay out of the class's public surface.
      expect(text).not.toMatch(/\b(CacheMeter|StoreGuard|TaggedEntries|RememberLoader|TaggedAccess)\b/);
    }
  });

  it('keep the internal modules out of the root entry point', () => {
    for (const build of ['cjs', 'esm']) {
      const index = readFileSync(join(dist, build, 'index.d.ts'), 'utf8');
      for (const internal of [
        'cache-meter',
        'cache-keys',
        'cache-settings',
        'store-guard',
        'store-fallbacks',
        'tagged-entries',
        'remember-loader',
        'remember-plan',
        'value-rules',
      ]) {
        expect(index).not.toContain(internal);
      }
    }
  });
});
