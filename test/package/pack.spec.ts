/**
 * The packed tarball, installed into a separate TypeScript project: it compiles against the
 * public types of both builds (CommonJS and ES modules), every entry point resolves with
 * `require` and with `import`, and the two builds loaded in one process share their state. Also
 * checks what `npm pack` ships.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DUAL_PACKAGE_APP } from './dual-package.app';

const root = resolve('.');
function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_loglevel: 'error' },
    });
  } catch (err) {
    const e = err as { message: string; stdout?: string; stderr?: string };
    throw new Error(`${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: err });
  }
}

/** '' for the root, then 'testing/', 'health/'...: the entry points package.json exports. */
function entryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  return Object.keys(pkg.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? '' : `${k.slice(2)}/`));
}

describe('the published package', () => {
  let work: string;
  let files: string[];

  /** Compiles one file of the consumer with the strict settings of a Nest 12 app. */
  function compile(file: string): void {
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2023',
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: false,
          types: ['node'],
          outDir: 'out',
        },
        files: [file],
      }),
    );
    run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], work);
  }

  beforeAll(() => {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    // Inside the repo, so the consumer resolves @nestjs/* and typescript from our node_modules.
    work = mkdtempSync(join(root, '.tmp', 'consumer-'));
    const out = run('npm', ['pack', '--json', '--pack-destination', work], root);
    const info = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    files = info[0].files.map((f) => f.path);
    const pkgDir = join(work, 'node_modules', 'nestjs-cachekit');
    mkdirSync(pkgDir, { recursive: true });
    run('tar', ['-xzf', join(work, info[0].filename), '-C', pkgDir, '--strip-components=1'], work);
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  }, 180_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships both builds of every entry point, README, LICENSE and CHANGELOG, without source maps or tests', () => {
    expect(entryPoints()).toEqual(expect.arrayContaining(['', 'testing/', 'health/']));
    for (const entry of entryPoints()) {
      for (const build of ['cjs', 'esm']) {
        expect(files).toContain(`dist/${build}/${entry}index.js`);
        expect(files).toContain(`dist/${build}/${entry}index.d.ts`);
      }
    }
    expect(files).toContain('dist/cjs/package.json');
    expect(files).toContain('dist/esm/package.json');
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    for (const f of files) expect(f).toMatch(/^(dist\/(cjs|esm)\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /\.spec\./.test(f))).toEqual([]);
  });

  it('resolves every entry point with require and with import, to the CommonJS and ES module builds', () => {
    const names = entryPoints().map((e) => `nestjs-cachekit${e ? `/${e.slice(0, -1)}` : ''}`);
    writeFileSync(
      join(work, 'resolve.mjs'),
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const strip = (p) => p.replace(/^.*node_modules[\\\\/]nestjs-cachekit[\\\\/]/, '');
const out = {};
for (const name of ${JSON.stringify(names)}) {
  const viaRequire = require(name);
  const viaImport = await import(name);
  out[name] = {
    require: strip(require.resolve(name)),
    import: strip(import.meta.resolve(name)),
    names: Object.keys(viaImport).sort(),
    sameNames: JSON.stringify(Object.keys(viaRequire).sort()) === JSON.stringify(Object.keys(viaImport).sort()),
  };
}
console.log(JSON.stringify(out));`,
    );
    const out = JSON.parse(run(process.execPath, ['resolve.mjs'], work).trim()) as Record<
      string,
      { require: string; import: string; names: string[]; sameNames: boolean }
    >;
    expect(Object.keys(out)).toEqual(names);
    entryPoints().forEach((entry, i) => {
      const got = out[names[i]];
      expect({ ...got, names: got.names.length > 0 }).toEqual({
        require: `dist/cjs/${entry}index.js`,
        import: `dist/esm/${entry}index.js`,
        names: true,
        sameNames: true,
      });
    });
    expect(out['nestjs-cachekit'].names).toEqual(expect.arrayContaining(['CacheModule', 'Cacheable', 'getCacheToken']));
  });

  it('shares one state between the CommonJS and ES module builds loaded in one process', () => {
    writeFileSync(join(work, 'dual.mts'), DUAL_PACKAGE_APP);
    compile('dual.mts');
    const result = JSON.parse(run(process.execPath, ['out/dual.mjs'], work).trim()) as Record<string, unknown>;
    const interop = {
      loaderRuns: [1, 1, 2],
      cachedUnderTemplateKey: 10,
      serviceIsTheModules: true,
      managerIsTheModules: true,
      namedIsTheModules: true,
      errorIsInstanceInBoth: true,
    };
    expect(result).toEqual({
      twoCopies: true,
      sameStoreToken: true,
      'esm module, cjs decorators': interop,
      'cjs module, esm decorators': interop,
    });
  }, 120_000);

  it('compiles and runs in a CommonJS TypeScript Nest app', () => {
    writeFileSync(
      join(work, 'main.ts'),
      `import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Cache, CacheModule, CacheService, createCacheManager, InjectCache, type CacheStore } from 'nestjs-cachekit';
import { ManualClock, describeStoreConformance } from 'nestjs-cachekit/testing';

@Injectable()
class Greeter {
  constructor(readonly cache: CacheService, @InjectCache('memory') readonly named: Cache) {}
  greet(name: string): Promise<string> {
    return this.cache.remember<string>('greet:' + name, '1m', () => 'hello ' + name);
  }
}

@Module({ imports: [CacheModule.forRoot({ ttl: '10m' })], providers: [Greeter] })
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const greeter = app.get(Greeter);
  const first: string = await greeter.greet('ada');
  const again = await greeter.named.get<string>('greet:ada');
  await app.close();
  const clock = new ManualClock();
  const manager = createCacheManager({ clock });
  await manager.default.set('k', 1, '1s');
  clock.advance('2s');
  const expired = await manager.default.get('k');
  const store: CacheStore | undefined = undefined;
  console.log(JSON.stringify({ first, again, expired: expired === undefined, conf: typeof describeStoreConformance, store }));
}
void main();
`,
    );
    compile('main.ts');
    const out = run(process.execPath, ['out/main.js'], work);
    expect(JSON.parse(out.trim())).toEqual({ first: 'hello ada', again: 'hello ada', expired: true, conf: 'function' });
  }, 120_000);

  it('keeps Terminus and ioredis out of the root entry point', () => {
    const dist = join(work, 'node_modules', 'nestjs-cachekit', 'dist');
    const out = run(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(join(dist, 'cjs'))});
         const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](@nestjs[\\\\/]terminus|ioredis)[\\\\/]/.test(f));
         console.log(JSON.stringify(loaded));`,
      ],
      work,
    );
    expect(JSON.parse(out.trim())).toEqual([]);
    expect(readdirSync(join(dist, 'cjs'))).toContain('index.d.ts');
    expect(readdirSync(join(dist, 'esm'))).toContain('index.d.ts');
  });
});
