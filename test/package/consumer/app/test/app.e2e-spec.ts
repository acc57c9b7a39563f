// The app's own e2e suite, as a Nest 12 project keeps it in test/: run by Vitest 4 (the
// `nest new` template: unplugin-swc for decorator metadata) or by Jest 30 in native ESM mode,
// both loading the package's ES module build. Test globals come from the runner.
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { CacheService, createCacheManager } from 'nestjs-cachekit';
import { ManualClock } from 'nestjs-cachekit/testing';
import { AppModule } from '../src/app.module.js';
import { ProductsService } from '../src/products.service.js';

describe('the app, in the test runner', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('caches a route and a decorated provider method, and a tag flush evicts both', async () => {
    const first = await fetch(`${base}/products/7/summary`);
    const second = await fetch(`${base}/products/7/summary`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.json()).toEqual(await first.json());
    await fetch(`${base}/products/7/price`);
    await fetch(`${base}/products/7/price`);
    const calls = app.get(ProductsService).calls;
    expect({ summary: calls.summary, price: calls.price }).toEqual({ summary: 1, price: 1 });
    await fetch(`${base}/products/7`, { method: 'PUT' });
    await fetch(`${base}/products/7/summary`);
    await fetch(`${base}/products/7/price`);
    expect({ summary: calls.summary, price: calls.price }).toEqual({ summary: 2, price: 2 });
  });

  it('serves the health subpath through Terminus', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { info: Record<string, unknown> }).info.cache).toBeDefined();
  });

  it('loads nestjs-cachekit/testing: expiry follows a ManualClock', async () => {
    const clock = new ManualClock();
    const caches = createCacheManager({ clock });
    await caches.default.set('k', 1, '1s');
    expect(await caches.default.get('k')).toBe(1);
    clock.advance('2s');
    expect(await caches.default.get('k')).toBeUndefined();
    await caches.close();
  });

  it('injects the same CacheService class the test imports (one copy of the package)', () => {
    expect(app.get(CacheService)).toBeInstanceOf(CacheService);
  });
});
