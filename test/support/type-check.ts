import { join } from 'node:path';
import ts from 'typescript';

/**
 * The type errors of `text` compiled as the file `probe` (a path that need not exist) with the
 * repository's tsconfig.json, as a user's project would check it: `nestjs-cachekit` and its
 * subpaths resolve to src/ through the config's `paths`.
 */
export function typeErrors(probe: string, text: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(process.cwd(), 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  )!;
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => (f === probe ? text : readFile(f));
  host.fileExists = (f) => f === probe || fileExists(f);
  const program = ts.createProgram([probe], { ...config.options, noEmit: true }, host);
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(probe))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
