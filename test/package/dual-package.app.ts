/**
 * The consumer of pack.spec.ts's dual-package test, an ES module (`dual.mts`) compiled by tsc
 * against the published types: it loads the package twice in one process, through `import` (the
 * ES module build) and through `require` (the CommonJS build), and builds one Nest app from each
 * with the other copy's decorators, tokens and classes. Prints one JSON line.
 */
export const DUAL_PACKAGE_APP = `import 'reflect-metadata';
import { createRequire } from 'node:module';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as esm from 'nestjs-cachekit';

type Lib = typeof esm;
const require = createRequire(import.meta.url);
const cjs = require('nestjs-cachekit') as Lib;

/** An app whose CacheModule comes from mod and whose decorated provider uses deco. */
async function interop(mod: Lib, deco: Lib, store: string): Promise<Record<string, unknown>> {
  let runs = 0;

  @Injectable()
  class Prices {
    constructor(
      @Inject(deco.CacheService) readonly service: esm.CacheService,
      @Inject(deco.CacheManager) readonly manager: esm.CacheManager,
      @deco.InjectCache(store) readonly named: esm.Cache,
    ) {}

    @deco.Cacheable({ key: 'price:{0}', ttl: '1m', store })
    @deco.CacheTags(['prices'])
    async price(id: number): Promise<number> {
      runs++;
      return id * 10;
    }
  }

  @Module({
    // forRootAsync: the store's token is known only through what deco's @InjectCache recorded.
    imports: [
      mod.CacheModule.forRootAsync({ useFactory: () => ({ default: store, stores: { [store]: { driver: 'memory' } } }) }),
    ],
    providers: [Prices],
  })
  class AppModule {}

  const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
  try {
    const prices = app.get(Prices);
    const loaderRuns: number[] = [];
    await prices.price(1);
    loaderRuns.push(runs);
    await prices.price(1);
    loaderRuns.push(runs);
    // A tag flush through the other copy's classes reaches what the decorators stored.
    await prices.service.tags(['prices']).flush();
    await prices.price(1);
    loaderRuns.push(runs);
    let thrown: unknown;
    try {
      prices.manager.store('nope');
    } catch (err) {
      thrown = err;
    }
    return {
      loaderRuns,
      cachedUnderTemplateKey: await prices.named.get('price:1'),
      serviceIsTheModules: prices.service === app.get(mod.CacheService),
      managerIsTheModules: prices.manager === app.get(mod.CacheManager),
      namedIsTheModules: prices.named === app.get<esm.Cache>(mod.getCacheToken(store) as string),
      errorIsInstanceInBoth:
        thrown instanceof esm.CacheStoreNotFoundError &&
        thrown instanceof cjs.CacheStoreNotFoundError &&
        thrown instanceof cjs.CacheError &&
        !(thrown instanceof cjs.CacheTimeoutError),
    };
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  console.log(
    JSON.stringify({
      twoCopies: (esm.CacheModule as unknown) !== (cjs.CacheModule as unknown),
      sameStoreToken: esm.getCacheToken('x') === cjs.getCacheToken('x'),
      'esm module, cjs decorators': await interop(esm, cjs, 'viaCjs'),
      'cjs module, esm decorators': await interop(cjs, esm, 'viaEsm'),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
`;
