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

// The same object as bench/lib/payloads.mjs object1kb(1) (kept in step by http.mjs's check).
const payload = {
  id: 1,
  uuid: '3f2b8c1e-9d4a-4b7e-a6c5-1e2f3a4b5c6d',
  name: 'Ada Lovelace',
  email: 'ada.lovelace@example.com',
  active: true,
  score: 98.6,
  roles: ['admin', 'editor', 'viewer'],
  address: { street: '12 Analytical Engine Road', city: 'London', zip: 'NW1 2DB', country: 'GB' },
  preferences: { theme: 'dark', language: 'en-GB', notifications: { email: true, sms: false, push: true } },
  createdAt: '2024-01-15T10:30:00.000Z',
  updatedAt: '2024-06-01T08:00:00.000Z',
  history: Array.from({ length: 6 }, (_, n) => ({
    at: `2024-0${n + 1}-01T00:00:00.000Z`,
    action: n % 2 ? 'login' : 'update-profile',
    ip: `10.0.0.${n + 1}`,
  })),
  bio: 'Mathematician and writer, known for work on the proposed mechanical general-purpose computer.',
};
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
