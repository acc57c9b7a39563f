#!/usr/bin/env node
/**
 * Fails when src/ has an import cycle, type-only edges included: every cycle marks a type in the
 * wrong file, and under ESM any value edge later added on the loop becomes a TDZ error at import.
 * Reads the import graph with the TypeScript compiler API (imports, `export ... from`, `import()`
 * and `import type` alike), finds strongly connected components (Tarjan), and prints each cycle
 * with whether it also exists at run time (value edges only) or through types only.
 *
 * Usage: node scripts/check-cycles.mjs [root=src]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(process.argv[2] ?? 'src');

/**
 * Cycles known when this check was added, each being removed by the engineer named (issue 17):
 * each entry names the files at the heart of the loop. A strongly connected component that
 * contains them all (files that join the loop are listed in the warning) or lies within them is
 * printed as a warning; an entry that no longer matches is reported so it can be deleted. Any
 * other cycle fails. The lead deletes this list once the loops are gone.
 */
const KNOWN = [];

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(m|c)?tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveImport(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier.replace(/\.(m|c)?js$/, ''));
  for (const candidate of [`${base}.ts`, `${base}.tsx`, `${base}.mts`, join(base, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The local files `file` imports, each marked `type` when every import of it is type-only. */
function importsOf(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const edges = new Map();
  const add = (specifier, typeOnly) => {
    const target = resolveImport(file, specifier);
    if (target) edges.set(target, (edges.get(target) ?? true) && typeOnly);
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly =
        node.isTypeOnly ||
        (!!node.exportClause &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Tarjan's strongly connected components with more than one file (or a file importing itself). */
function cycles(graph, keep) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const found = [];
  const strong = (v) => {
    const s = { index, low: index, onStack: true };
    index++;
    state.set(v, s);
    stack.push(v);
    for (const [w, typeOnly] of graph.get(v) ?? []) {
      if (!keep(typeOnly)) continue;
      const t = state.get(w);
      if (!t) {
        strong(w);
        s.low = Math.min(s.low, state.get(w).low);
      } else if (t.onStack) s.low = Math.min(s.low, t.index);
    }
    if (s.low === s.index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        state.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!state.has(v)) strong(v);
  return found;
}

const graph = new Map(sourceFiles(root).map((f) => [f, importsOf(f)]));
const name = (f) => relative(root, f).replace(/\\/g, '/');
const label = (component) => component.map(name).sort();
const valueCycles = cycles(graph, (typeOnly) => !typeOnly).map(label);
const all = cycles(graph, () => true).map(label);

// A cycle is allowlisted when all its files are in one known entry (it may shrink while it is fixed).
const pending = new Set(KNOWN.map((entry) => entry.join(' ')));
let failed = false;
for (const component of all) {
  const atRunTime = valueCycles.filter((v) => v.every((f) => component.includes(f)));
  const kind = atRunTime.length
    ? `value cycle (${atRunTime.map((c) => c.join(' -> ')).join('; ')})`
    : 'type-only cycle';
  const edges = component.flatMap((f) =>
    [...graph.get(join(root, f))]
      .filter(([to]) => component.includes(name(to)))
      .map(([to, typeOnly]) => `    ${f} ${typeOnly ? '⇢ (type)' : '→'} ${name(to)}`),
  );
  const entry = KNOWN.find(
    (known) => known.every((f) => component.includes(f)) || component.every((f) => known.includes(f)),
  );
  const message = `import ${kind} among ${component.length} files:\n${edges.join('\n')}`;
  if (entry) {
    pending.delete(entry.join(' '));
    console.warn(`warning: known ${message}`);
  } else {
    failed = true;
    console.error(`error: ${message}`);
  }
}
for (const stale of pending) console.warn(`warning: the allowlisted cycle [${stale}] is gone: delete it from KNOWN`);
if (failed) {
  console.error('check-cycles: import cycles found (move the shared type or value to its own file).');
  process.exit(1);
}
console.log(`check-cycles: ${graph.size} files, no unlisted import cycle.`);
