// The app of http-module.mjs, one process per platform and variant:
//   node -r @swc-node/register bench/groups/http-module-app.ts <express|fastify> <variant> [srcDir]
// variant: `none` (no CacheModule), `cachekit` (CacheModule.forRoot, nothing memoised), `cachekit+memo`
// (a provider holds `cache.memo()`, so every request opens a memo scope). One route, GET /const,
// returns the ~1 KB JSON the http group uses: what CacheModule adds to a route it does not cache.
// srcDir (default: this repository's src/) lets a run compare two versions of the package.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { object1kb } from '../lib/payloads.mjs';

const [platformArg, variant = 'none', srcDir = resolve(__dirname, '../../src')] = process.argv.slice(2);
const platform = platformArg === 'fastify' ? 'fastify' : 'express';
const payload = object1kb(1);

interface Kit {
  CacheModule: { forRoot(options: object): DynamicModule };
  CacheService: new (...args: never[]) => { memo(): unknown };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kit = variant === 'none' ? undefined : (require(srcDir) as Kit);

@Controller()
class ConstController {
  @Get('const')
  get() {
    return payload;
  }
}

const providers = [];
if (kit && variant === 'cachekit+memo') {
  @Injectable()
  class Memoised {
    readonly memo: unknown;
    constructor(cache: InstanceType<Kit['CacheService']>) {
      this.memo = cache.memo();
    }
  }
  Reflect.defineMetadata('design:paramtypes', [kit.CacheService], Memoised);
  providers.push(Memoised);
}

@Module({
  imports: kit ? [kit.CacheModule.forRoot({ stores: { memory: { driver: 'memory' } } })] : [],
  controllers: [ConstController],
  providers,
})
class AppModule {}

async function main(): Promise<void> {
  const logger = ['error', 'warn'] as const;
  const app: INestApplication =
    platform === 'fastify'
      ? await NestFactory.create(AppModule, new FastifyAdapter(), { logger: [...logger] })
      : await NestFactory.create(AppModule, { logger: [...logger] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.send?.({ port });
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (m === 'close') void app.close().then(() => process.exit(0));
  });
}

void main();
