/**
 * @Cacheable / @CacheEvict on microservice message handlers: a real TCP microservice on a
 * loopback port and a real ClientProxy talking to it. A `@MessagePattern` handler is cached per
 * its payload (the TCP context is left out of the key), an `@EventPattern` handler and a
 * request handler evict by tag.
 */
import 'reflect-metadata';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import {
  ClientProxyFactory,
  Ctx,
  EventPattern,
  MessagePattern,
  Payload,
  TcpContext,
  Transport,
  type ClientProxy,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import { NestFactory } from '@nestjs/core';
import { createServer } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { CacheEvict, CacheModule, CacheService, CacheTags, Cacheable } from 'nestjs-cachekit';

const counts = { quote: 0, raw: 0 };
const prices = new Map<string, number>([
  ['a', 1],
  ['b', 2],
]);

@Controller()
class QuotesController {
  @MessagePattern('quote')
  @Cacheable({ ttl: '1m' })
  @CacheTags(['quotes'])
  async quote(@Payload() data: { sku: string }, @Ctx() _ctx: TcpContext): Promise<{ sku: string; price: number }> {
    counts.quote++;
    return { sku: data.sku, price: prices.get(data.sku) ?? 0 };
  }

  /** No param decorators: Nest passes (data, context). */
  @MessagePattern('quote.raw')
  @Cacheable({ ttl: '1m' })
  @CacheTags(['quotes'])
  async raw(data: { sku: string }): Promise<number> {
    counts.raw++;
    return prices.get(data.sku) ?? 0;
  }

  @MessagePattern('reprice')
  @CacheEvict({ tags: ['quotes'] })
  async reprice(@Payload() data: { sku: string; price: number }): Promise<boolean> {
    prices.set(data.sku, data.price);
    return true;
  }

  @EventPattern('catalog.changed')
  @CacheEvict({ tags: ['quotes'] })
  async changed(@Payload() _data: unknown): Promise<void> {}
}

@Module({ imports: [CacheModule.forRoot({})], controllers: [QuotesController] })
class QuotesModule {}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('cache decorators on microservice handlers (TCP transport)', () => {
  let server: INestMicroservice;
  let client: ClientProxy;

  beforeAll(async () => {
    const port = await freePort();
    server = await NestFactory.createMicroservice<MicroserviceOptions>(QuotesModule, {
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
      logger: false,
    });
    await server.listen();
    client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  beforeEach(async () => {
    await server.get(CacheService).clear();
    counts.quote = 0;
    counts.raw = 0;
  });

  const send = <T>(pattern: string, data: unknown): Promise<T> => firstValueFrom(client.send<T>(pattern, data));

  it('caches a request handler per payload, whatever the connection', async () => {
    expect(await send('quote', { sku: 'a' })).toEqual({ sku: 'a', price: 1 });
    expect(await send('quote', { sku: 'a' })).toEqual({ sku: 'a', price: 1 });
    expect(await send('quote', { sku: 'b' })).toEqual({ sku: 'b', price: 2 });
    expect(counts.quote).toBe(2);
  });

  it('caches a handler without param decorators by its data, not its TCP context', async () => {
    expect(await send('quote.raw', { sku: 'a' })).toBe(1);
    expect(await send('quote.raw', { sku: 'a' })).toBe(1);
    expect(counts.raw).toBe(1);
  });

  it('a request handler evicts by tag', async () => {
    await send('quote', { sku: 'a' });
    expect(await send('reprice', { sku: 'a', price: 5 })).toBe(true);
    expect(await send('quote', { sku: 'a' })).toEqual({ sku: 'a', price: 5 });
    expect(counts.quote).toBe(2);
  });

  it('an event handler evicts by tag', async () => {
    await send('quote', { sku: 'b' });
    expect(counts.quote).toBe(1);
    await firstValueFrom(client.emit('catalog.changed', {}), { defaultValue: undefined });
    // Events have no reply: ask until the handler ran again (the entry was evicted).
    const deadline = Date.now() + 10_000;
    while (counts.quote < 2 && Date.now() < deadline) {
      await send('quote', { sku: 'b' });
      if (counts.quote < 2) await new Promise((r) => setTimeout(r, 20));
    }
    expect(counts.quote).toBe(2);
  });
});
