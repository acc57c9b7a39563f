/**
 * The test apps' sources compile unchanged as ESM and as CommonJS against nestjs-cachekit/compat
 * (their '@nestjs/cache-manager' import mapped to it), and as ESM against the incumbent. As
 * CommonJS the incumbent's own declarations reject the apps' Keyv and cacheable instances (its
 * types import Keyv's ESM declarations; a CJS app gets the CJS ones): that is checked too, as the
 * reason compat types stores by shape.
 */
import { describe, expect, it, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const work = join(root, '.tmp', `compat-compile-${process.pid}`);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const compat = { '@nestjs/cache-manager': [join(root, 'src/compat/index.ts')] };

function compile(dir: string, type: 'module' | 'commonjs', paths?: Record<string, string[]>): Promise<string> {
  mkdirSync(dir, { recursive: true });
  cpSync(join(here, 'apps'), join(dir, 'apps'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(here, 'tsconfig.esm.json'),
      compilerOptions: { paths, typeRoots: [join(root, 'node_modules/@types')] },
      // `files` of an extended config resolve next to it: name the copies here.
      files: ['apps/modules.ts', 'apps/stores.modules.ts', 'apps/subclass.module.ts'],
    }),
  );
  return new Promise((done) => {
    execFile(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root }, (err, stdout, stderr) =>
      done(err ? `${stdout}${stderr}` || String(err) : ''),
    );
  });
}

describe('the test apps compile', () => {
  it('as ESM against nestjs-cachekit/compat', async () => {
    expect(await compile(join(work, 'esm-compat'), 'module', compat)).toBe('');
  }, 180_000);

  it('as CommonJS against nestjs-cachekit/compat', async () => {
    expect(await compile(join(work, 'cjs-compat'), 'commonjs', compat)).toBe('');
  }, 180_000);

  it('as ESM against @nestjs/cache-manager', async () => {
    expect(await compile(join(work, 'esm-incumbent'), 'module')).toBe('');
  }, 180_000);

  it('not as CommonJS against @nestjs/cache-manager: its nominal Keyv types come from the other module system', async () => {
    const out = await compile(join(work, 'cjs-incumbent'), 'commonjs');
    expect(out).toMatch(/Types have separate declarations of a private property/);
  }, 180_000);
});
