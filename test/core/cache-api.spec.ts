// The one CacheApi interface: every member documented, and the docs visible to users of each of
// the five classes that implement it (TypeScript inherits a member's JSDoc from the interface or
// base class when the class does not write its own). Read through the TypeScript language service,
// as an editor does.
import { join } from 'node:path';
import ts from 'typescript';

const root = process.cwd();
const probe = join(root, 'test', 'core', '__cache-api-probe.ts');

function languageService(text: string): ts.LanguageService {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  )!;
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [probe],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) =>
      f === probe
        ? ts.ScriptSnapshot.fromString(text)
        : ts.sys.fileExists(f)
          ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)!)
          : undefined,
    getCurrentDirectory: () => root,
    getCompilationSettings: () => config.options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f === probe || ts.sys.fileExists(f),
    readFile: (f) => (f === probe ? text : ts.sys.readFile(f)),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  return ts.createLanguageService(host);
}

const NAMES = ['api', 'cache', 'tagged', 'manager', 'service', 'fake'];
const HEADER = [
  `import type { Cache, CacheApi, CacheManager, CacheService, TaggedCache } from 'nestjs-cachekit';`,
  `import type { FakeCache } from 'nestjs-cachekit/testing';`,
  `declare const api: CacheApi;`,
  `declare const cache: Cache;`,
  `declare const tagged: TaggedCache;`,
  `declare const manager: CacheManager;`,
  `declare const service: CacheService;`,
  `declare const fake: FakeCache;`,
].join('\n');

// DESIGN.md's "The Cache API" table, and its "Locks, funnels and request memo" section.
const DESIGN_API = [
  'add',
  'clear',
  'decrement',
  'delete',
  'deleteMany',
  'forever',
  'funnel',
  'get',
  'getMany',
  'has',
  'health',
  'increment',
  'isHealthy',
  'lock',
  'memo',
  'pull',
  'remember',
  'rememberForever',
  'restoreLock',
  'set',
  'setMany',
  'stats',
  'store',
  'tags',
  'touch',
  'ttl',
];

describe('CacheApi', () => {
  // One program for every check: building it is what costs.
  const lines = NAMES.flatMap((name) => DESIGN_API.map((m) => `${name}.${m};`));
  const text = `${HEADER}\n${lines.join('\n')}\n`;
  const ls = languageService(text);
  const program = ls.getProgram()!;
  const source = program.getSourceFile(probe)!;

  it('has the whole Cache API of DESIGN.md, and nothing else', () => {
    const decl = source.statements.find((s) => ts.isVariableStatement(s) && s.getText().includes('api:'));
    const type = program
      .getTypeChecker()
      .getTypeAtLocation((decl as ts.VariableStatement).declarationList.declarations[0].name);
    expect(
      type
        .getProperties()
        .map((p) => p.getName())
        .sort(),
    ).toEqual([...DESIGN_API].sort());
  });

  it('is implemented by all five classes (each member exists on each)', () => {
    const errors = program
      .getSemanticDiagnostics(source)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });

  it.each(NAMES)('shows docs on every member through %s', (name) => {
    const undocumented = DESIGN_API.filter((m) => {
      const at = text.indexOf(`\n${name}.${m};`) + name.length + 2;
      const info = ls.getQuickInfoAtPosition(probe, at);
      return !info || ts.displayPartsToString(info.documentation).trim() === '';
    });
    expect(undocumented).toEqual([]);
  });
});
