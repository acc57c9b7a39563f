// The Nest app of the http group (Express), run in its own process by http.mjs:
//   node -r @swc-node/register bench/groups/http-app.ts
// Three routes on one app return the same ~1 KB JSON: a constant, one cached by
// @nestjs/cache-manager's CacheInterceptor, one cached by our @Cacheable. The cold-miss routes
// count handler runs (a 50 ms handler, so concurrent requests overlap the miss).
import 'reflect-metadata';
import { CacheInterceptor, CacheModule as NestCacheModule, CacheTTL } from '@nestjs/cache-manager';
import { Controller, Get, Module, Query, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Cacheable, CacheModule } from '../../src';
import { object1kb } from '../lib/payloads.mjs';

// The payload every bench uses (http.mjs checks each route answers exactly this).
const payload = object1kb(1);
const fresh = () => structuredClone(payload);
const calls = { cachekit: 0, 'nestjs-cache-manager': 0 };
const slow = async (subject: keyof typeof calls) => {
  calls[subject]++;
  await new Promise((r) => setTimeout(r, 50));
  return fresh();
};

@Controller()
class ConstController {
  @Get('const')
  get() {
    return payload;
  }

  @Get('_calls')
  calls() {
    return calls;
  }
}

@Controller('nest')
@UseInterceptors(CacheInterceptor)
class NestCachedController {
  @Get('cached')
  @CacheTTL(60_000)
  get() {
    return fresh();
  }

  @Get('cold')
  @CacheTTL(60_000)
  cold(@Query('n') _n: string) {
    return slow('nestjs-cache-manager');
  }
}

@Controller('kit')
class KitCachedController {
  @Get('cached')
  @Cacheable({ ttl: 60 })
  get() {
    return fresh();
  }

  @Get('cold')
  @Cacheable({ ttl: 60 })
  cold(@Query('n') _n: string) {
    return slow('cachekit');
  }
}

@Module({
  imports: [
    NestCacheModule.register({ ttl: 60_000 }),
    CacheModule.forRoot({ stores: { memory: { driver: 'memory' } } }),
  ],
  controllers: [ConstController, NestCachedController, KitCachedController],
})
class BenchAppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(BenchAppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.send?.({ port });
  process.on('message', (m) => {
    if (m === 'close') void app.close().then(() => process.exit(0));
  });
}

void main();
