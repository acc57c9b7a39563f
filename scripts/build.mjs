#!/usr/bin/env node
// The package build: CommonJS in dist/cjs and ES modules in dist/esm, each with its own
// declarations, from the same sources, by the TypeScript compiler the project already pins.
//
//   dist/cjs  tsc with module nodenext (the package has no "type", so the sources are CommonJS)
//   dist/esm  the same program emitted as ES2022 modules, with a transformer that gives every
//             relative specifier its real file ('./cache' -> './cache.js', './nest' ->
//             './nest/index.js') in the JavaScript and in the declarations
//
// Why a transformer and not a bundler or `.js` in the sources: the sources keep the
// extensionless relative imports that ts-jest, @swc-node/register (sample, bench, fixtures) and
// tsc all resolve; the TypeScript AST rewrites only module specifiers (no regex over code), each
// resolved against the real source file, so a specifier that resolves to nothing fails the build;
// the output keeps one file per module (readable stack traces, tree-shakable, the same layout as
// the CJS build), and no bundler joins the dependencies.
//
// Each folder gets a package.json naming its module type, so Node and TypeScript read the
// `.js`/`.d.ts` files of each build as what they are. The package.json `exports` map (written by
// scripts/package-exports.mjs) sends `import` to dist/esm and `require` to dist/cjs.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkExports } from './package-exports.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(import.meta.url)('typescript');

/** Deep imports of these packages get `.js`: Nest 11 has no exports map, Nest 12 maps `./*.js`. */
const DEEP_IMPORT_PACKAGES = /^@nestjs\/[^/]+\/./;

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

function report(diagnostics) {
  if (!diagnostics.length) return;
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  console.error(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
  fail(`${diagnostics.length} TypeScript error(s)`);
}

function readConfig(overrides) {
  const configPath = join(root, 'tsconfig.build.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, overrides, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => report([d]),
  });
  report(parsed.errors);
  return parsed;
}

/** The specifier that Node's ESM resolver needs for `spec`, written in `fromFile`. */
function esmSpecifier(spec, fromFile) {
  if (spec.startsWith('./') || spec.startsWith('../')) {
    if (/\.(m?js|json)$/.test(spec)) return spec;
    const target = resolve(dirname(fromFile), spec);
    if (existsSync(`${target}.ts`)) return `${spec}.js`;
    if (existsSync(join(target, 'index.ts'))) return `${spec}/index.js`;
    fail(`${relative(root, fromFile)}: cannot resolve "${spec}" to a source file`);
  }
  if (DEEP_IMPORT_PACKAGES.test(spec) && !/\.[cm]?js$/.test(spec)) return `${spec}.js`;
  return spec;
}

/** A transformer (JavaScript and declarations) that rewrites module specifiers with esmSpecifier. */
function specifierRewriter(context) {
  const f = context.factory;
  return (node) => {
    if (!ts.isSourceFile(node)) return node;
    const file = node.fileName;
    const literal = (lit) => {
      const next = esmSpecifier(lit.text, file);
      return next === lit.text ? lit : f.createStringLiteral(next);
    };
    const visit = (n) => {
      if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
        return f.updateImportDeclaration(n, n.modifiers, n.importClause, literal(n.moduleSpecifier), n.attributes);
      }
      if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
        return f.updateExportDeclaration(
          n,
          n.modifiers,
          n.isTypeOnly,
          n.exportClause,
          literal(n.moduleSpecifier),
          n.attributes,
        );
      }
      if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
        const arg = f.updateLiteralTypeNode(n.argument, literal(n.argument.literal));
        return f.updateImportTypeNode(n, arg, n.attributes, n.qualifier, n.typeArguments, n.isTypeOf);
      }
      if (
        ts.isCallExpression(n) &&
        n.expression.kind === ts.SyntaxKind.ImportKeyword &&
        n.arguments.length >= 1 &&
        ts.isStringLiteral(n.arguments[0])
      ) {
        return f.updateCallExpression(n, n.expression, n.typeArguments, [
          literal(n.arguments[0]),
          ...n.arguments.slice(1),
        ]);
      }
      return ts.visitEachChild(n, visit, context);
    };
    return ts.visitEachChild(node, visit, context);
  };
}

function emit(config, outDir, transformers) {
  const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, outDir } });
  const pre = ts.getPreEmitDiagnostics(program);
  report(pre);
  const result = program.emit(undefined, undefined, undefined, false, transformers);
  report(result.diagnostics);
}

function markModuleType(outDir, type) {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type, sideEffects: false }, null, 2)}\n`);
}

const problems = checkExports();
if (problems.length) fail(`package.json exports are out of date:\n  ${problems.join('\n  ')}`);

const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const cjsOut = join(dist, 'cjs');
emit(readConfig({}), cjsOut);
markModuleType(cjsOut, 'commonjs');

const esmOut = join(dist, 'esm');
// `bundler` resolution accepts the extensionless sources; the rewriter makes them Node ESM.
const esmConfig = readConfig({
  module: ts.ModuleKind.ES2022,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
});
emit(esmConfig, esmOut, { after: [specifierRewriter], afterDeclarations: [specifierRewriter] });
markModuleType(esmOut, 'module');

console.log(`build: ${relative(root, cjsOut)} (CommonJS) and ${relative(root, esmOut)} (ES modules)`);
