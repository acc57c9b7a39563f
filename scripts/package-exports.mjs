#!/usr/bin/env node
// The package's entry points, derived from the sources: `src/index.ts` is `nestjs-cachekit`, and
// every `src/<name>/index.ts` is the public subpath `nestjs-cachekit/<name>`. Nothing else is an
// entry point (src/core, src/nest... have no index.ts).
//
//   npm run exports            # rewrite package.json main/types/module/exports/typesVersions
//   npm run exports -- --check # exit 1 when package.json does not match the sources
//
// Adding a subpath: create src/<name>/index.ts and run `npm run exports`. The build and
// test/package/exports.spec.ts fail while package.json is out of date. tsconfig.json `paths` and
// the Jest moduleNameMapper map `nestjs-cachekit/*` to `src/*` already.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkgPath = join(root, 'package.json');

/** Public subpaths: the folders of src that have an index.ts, sorted. */
export function subpaths() {
  return readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, 'src', d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

function entry(sub) {
  const base = sub ? `${sub}/index` : 'index';
  return {
    import: { types: `./dist/esm/${base}.d.ts`, default: `./dist/esm/${base}.js` },
    require: { types: `./dist/cjs/${base}.d.ts`, default: `./dist/cjs/${base}.js` },
  };
}

/** The fields of package.json that describe the entry points. */
export function expectedFields() {
  const names = subpaths();
  const exports = { '.': entry('') };
  for (const name of names) exports[`./${name}`] = entry(name);
  exports['./package.json'] = './package.json';
  // For consumers on `moduleResolution: node10` (`module: commonjs`), which ignores `exports`.
  const typesVersions = { '*': Object.fromEntries(names.map((n) => [n, [`./dist/cjs/${n}/index.d.ts`]])) };
  return {
    main: './dist/cjs/index.js',
    module: './dist/esm/index.js',
    types: './dist/cjs/index.d.ts',
    exports,
    typesVersions,
  };
}

/** Differences between package.json (or `pkg`) and the sources, as messages; empty when up to date. */
export function checkExports(pkg = JSON.parse(readFileSync(pkgPath, 'utf8'))) {
  const problems = [];
  for (const [field, value] of Object.entries(expectedFields())) {
    if (JSON.stringify(pkg[field]) !== JSON.stringify(value)) {
      problems.push(`"${field}" does not match src/*/index.ts (run: npm run exports)`);
    }
  }
  return problems;
}

function write() {
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const fields = expectedFields();
  // Keep the key order of package.json: replace in place, append what is missing.
  const next = {};
  for (const [k, v] of Object.entries(pkg)) next[k] = k in fields ? fields[k] : v;
  for (const [k, v] of Object.entries(fields)) if (!(k in next)) next[k] = v;
  writeFileSync(pkgPath, `${JSON.stringify(next, null, 2)}\n`);
  console.log(
    `package.json: entry points ".", ${subpaths()
      .map((s) => `"./${s}"`)
      .join(', ')}`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const problems = checkExports();
    for (const p of problems) console.error(`package.json: ${p}`);
    process.exit(problems.length ? 1 : 0);
  } else {
    write();
  }
}
