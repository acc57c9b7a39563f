/**
 * The packed tarball, installed into a separate CommonJS TypeScript project, compiles against
 * the public types and runs. Also checks what `npm pack` ships.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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

describe('the published package', () => {
  let work: string;
  let files: string[];

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
  }, 180_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships only the build, README, LICENSE and CHANGELOG, without source maps or tests', () => {
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/testing/index.js');
    expect(files).toContain('dist/health/index.js');
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    for (const f of files) expect(f).toMatch(/^(dist\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /\.spec\./.test(f))).toEqual([]);
  });

  it('compiles and runs in a CommonJS TypeScript Nest app', () => {
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
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
        files: ['main.ts'],
      }),
    );
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
    run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], work);
    const out = run(process.execPath, ['out/main.js'], work);
    expect(JSON.parse(out.trim())).toEqual({ first: 'hello ada', again: 'hello ada', expired: true, conf: 'function' });
  }, 120_000);

  it('keeps Terminus and ioredis out of the root entry point', () => {
    const dist = join(work, 'node_modules', 'nestjs-cachekit', 'dist');
    const out = run(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(dist)});
         const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](@nestjs[\\\\/]terminus|ioredis)[\\\\/]/.test(f));
         console.log(JSON.stringify(loaded));`,
      ],
      work,
    );
    expect(JSON.parse(out.trim())).toEqual([]);
    expect(readdirSync(dist)).toContain('index.d.ts');
  });
});
