#!/usr/bin/env node
// Type-checks every ```ts block of README.md and docs/*.md against the package (its sources, via
// tsconfig paths, so no build is needed), so no example goes stale. `npm run docs:check`.
//
// - A block with its own `import` lines is complete: it is checked exactly as written.
// - A block without imports is a fragment: the names it uses from 'nestjs-cachekit' (and its
//   subpaths), @nestjs/common, @nestjs/core, @nestjs/config, @nestjs/terminus and @nestjs/testing
//   are imported for it, so the docs need not repeat the same import lines everywhere.
// - Every block is its own ES module (top-level `await` allowed) with Jest's globals in scope.
// - An HTML comment right before the fence adjusts a block (invisible on GitHub):
//     <!-- docs-check: context
//     declare const users: UsersRepository;    (code prepended to the block: placeholders)
//     -->
//     <!-- docs-check: skip — reason -->       (not compiled; listed in the output; keep rare)
//     <!-- docs-check: as map-text.store -->    (file name, so a later block of the same page
//                                                can `import ... from './map-text.store.js'`)
//   and `<!-- docs-check: file-context ... -->` anywhere in a file is prepended to all its blocks.
//
// Exits non-zero with `file.md:line: message` for each error.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, '.tmp', 'docs-check');

/** Where fragments' names come from, first match wins. */
const sources = [
  'nestjs-cachekit',
  'nestjs-cachekit/testing',
  'nestjs-cachekit/health',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/config',
  '@nestjs/terminus',
  '@nestjs/testing',
];

const compilerOptions = {
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'ES2023',
  lib: ['ES2023'],
  types: ['node', 'jest'],
  strict: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
  paths: {
    'nestjs-cachekit': [join(root, 'src/index.ts')],
    'nestjs-cachekit/testing': [join(root, 'src/testing/index.ts')],
    'nestjs-cachekit/health': [join(root, 'src/health/index.ts')],
    'nestjs-cachekit/*': [join(root, 'src/*/index.ts')],
  },
};

function markdownFiles() {
  const docs = join(root, 'docs');
  const inDocs = readdirSync(docs)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join(docs, f));
  return [join(root, 'README.md'), ...inDocs];
}

/** The ```ts blocks of one file, with the line of their first code line and their directives. */
function extractBlocks(file) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const fileContext = [...text.matchAll(/<!--\s*docs-check:\s*file-context\b([\s\S]*?)-->/g)].map((m) => m[1].trim());
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,})(ts|typescript)\s*$/.exec(lines[i]);
    if (!fence) continue;
    const [, indent, ticks] = fence;
    let end = i + 1;
    while (end < lines.length && lines[end].trim() !== ticks) end++;
    const code = lines
      .slice(i + 1, end)
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join('\n');
    const own = directive(lines, i);
    const context = [...fileContext, own.context ?? ''].filter(Boolean).join('\n');
    blocks.push({ file, line: i + 2, code, ...own, context: context || undefined });
    i = end;
  }
  return blocks;
}

/** The `<!-- docs-check: ... -->` comment ending just before line `fenceIndex` (blank lines allowed). */
function directive(lines, fenceIndex) {
  let j = fenceIndex - 1;
  while (j >= 0 && lines[j].trim() === '') j--;
  if (j < 0 || !lines[j].trim().endsWith('-->')) return {};
  let start = j;
  while (start >= 0 && !lines[start].includes('<!--')) start--;
  const text = lines
    .slice(start, j + 1)
    .join('\n')
    .replace(/^[\s\S]*?<!--/, '')
    .replace(/-->\s*$/, '');
  const match = /^\s*docs-check:\s*(skip|context|as)\b([\s\S]*)$/.exec(text);
  if (!match) return {};
  if (match[1] === 'as') return { as: match[2].trim() };
  return match[1] === 'skip'
    ? { skip: match[2].trim() || 'no reason given' }
    : { context: match[2].replace(/^\n/, '') };
}

/** Export names of each source module, resolved the way the snippets resolve them. */
function exportedNames() {
  mkdirSync(work, { recursive: true });
  const probe = join(work, '__exports.ts');
  writeFileSync(probe, sources.map((s, i) => `import * as m${i} from '${s}';\nvoid m${i};`).join('\n'));
  const program = ts.createProgram([probe], parsedOptions());
  const checker = program.getTypeChecker();
  const owner = new Map();
  for (const statement of program.getSourceFile(probe).statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const symbol = checker.getSymbolAtLocation(statement.moduleSpecifier);
    if (!symbol) throw new Error(`docs-check: cannot resolve ${statement.moduleSpecifier.text}`);
    for (const exported of checker.getExportsOfModule(symbol)) {
      if (!owner.has(exported.name)) owner.set(exported.name, statement.moduleSpecifier.text);
    }
  }
  rmSync(probe);
  return owner;
}

function parsedOptions() {
  return ts.convertCompilerOptionsFromJson(compilerOptions, work).options;
}

/** Imports for the names a fragment uses but does not declare. */
function autoImports(code, owner) {
  const used = new Set(code.match(/\b[A-Za-z_$][\w$]*\b/g) ?? []);
  const declared = new Set(
    [...code.matchAll(/\b(?:class|interface|type|function|const|let|var|enum)\s+([A-Za-z_$][\w$]*)/g)].map((m) => m[1]),
  );
  const byModule = new Map();
  for (const name of used) {
    const from = owner.get(name);
    if (!from || declared.has(name)) continue;
    byModule.set(from, [...(byModule.get(from) ?? []), name]);
  }
  return [...byModule].map(([from, names]) => `import { ${names.sort().join(', ')} } from '${from}';`);
}

function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  const owner = exportedNames();
  const files = new Map();
  const skipped = [];
  let count = 0;
  for (const md of markdownFiles()) {
    for (const block of extractBlocks(md)) {
      const where = `${relative(root, md)}:${block.line}`;
      if (block.skip) {
        skipped.push(`${where} (${block.skip})`);
        continue;
      }
      const complete = /^\s*import\s/m.test(block.code);
      const head = [...(complete ? [] : autoImports(`${block.context ?? ''}\n${block.code}`, owner))];
      if (block.context) head.push(...block.context.trimEnd().split('\n'));
      const dir = join(work, relative(root, md).replace(/[/.]/g, '_'));
      mkdirSync(dir, { recursive: true });
      const name = join(dir, `${block.as ?? `block_${block.line}`}.ts`);
      writeFileSync(name, `${[...head, block.code].join('\n')}\nexport {};\n`);
      files.set(name, { md, line: block.line, offset: head.length });
      count++;
    }
  }
  const program = ts.createProgram([...files.keys()], parsedOptions());
  const errors = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const origin = diagnostic.file && files.get(resolve(diagnostic.file.fileName));
    if (!origin) {
      errors.push(`${diagnostic.file ? relative(root, diagnostic.file.fileName) : 'tsc'}: ${message}`);
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const docLine = line < origin.offset ? `${origin.line} (auto import/context)` : origin.line + line - origin.offset;
    errors.push(`${relative(root, origin.md)}:${docLine}: TS${diagnostic.code} ${message}`);
  }
  for (const s of skipped) console.log(`skipped ${s}`);
  for (const e of errors) console.error(e);
  console.log(`docs:check: ${count} blocks checked, ${skipped.length} skipped, ${errors.length} errors`);
  if (errors.length) process.exitCode = 1;
  else rmSync(work, { recursive: true, force: true });
}

main();
