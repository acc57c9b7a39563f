/**
 * @Cacheable / @CacheEvict on WebSocket gateways: a real Nest app with @nestjs/platform-ws and
 * real `ws` clients. A `@SubscribeMessage` handler is cached per message body (the socket is left
 * out of the key, so two clients share entries), another message evicts by tag.
 */
import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WsAdapter } from '@nestjs/platform-ws';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, type WsResponse } from '@nestjs/websockets';
import { WebSocket } from 'ws';
import { CacheEvict, CacheModule, CacheService, CacheTags, Cacheable } from 'nestjs-cachekit';

const state = { loads: 0, stock: new Map<string, number>([['a', 3]]) };

@WebSocketGateway()
class StockGateway {
  @SubscribeMessage('stock')
  @Cacheable({ ttl: '1m' })
  @CacheTags(['stock'])
  async stock(
    @MessageBody() body: { sku: string },
    @ConnectedSocket() _socket: WebSocket,
  ): Promise<WsResponse<unknown>> {
    state.loads++;
    return { event: 'stock', data: { sku: body.sku, count: state.stock.get(body.sku) ?? 0 } };
  }

  /** No param decorators: Nest passes (socket, data). */
  @SubscribeMessage('stock.raw')
  @Cacheable({ ttl: '1m' })
  async raw(_socket: WebSocket, body: { sku: string }): Promise<WsResponse<unknown>> {
    state.loads++;
    return { event: 'stock.raw', data: state.stock.get(body.sku) ?? 0 };
  }

  @SubscribeMessage('restock')
  @CacheEvict({ tags: ['stock'] })
  async restock(@MessageBody() body: { sku: string; count: number }): Promise<WsResponse<boolean>> {
    state.stock.set(body.sku, body.count);
    return { event: 'restocked', data: true };
  }
}

@Module({ imports: [CacheModule.forRoot({})], providers: [StockGateway] })
class AppModule {}

/** A client that sends `{ event, data }` and resolves the next message of `reply`. */
class Client {
  private readonly waiting = new Map<string, ((data: unknown) => void)[]>();
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const { event, data } = JSON.parse(String(raw)) as { event: string; data: unknown };
      this.waiting.get(event)?.shift()?.(data);
    });
  }

  static open(url: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new Client(socket)));
      socket.once('error', reject);
    });
  }

  ask(event: string, data: unknown, reply = event): Promise<unknown> {
    const answer = new Promise<unknown>((resolve) => {
      const list = this.waiting.get(reply) ?? [];
      list.push(resolve);
      this.waiting.set(reply, list);
    });
    this.socket.send(JSON.stringify({ event, data }));
    return answer;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

describe('cache decorators on WebSocket gateways (platform-ws)', () => {
  let app: INestApplication;
  let url: string;
  let one: Client;
  let two: Client;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    url = `ws://127.0.0.1:${port}`;
    [one, two] = await Promise.all([Client.open(url), Client.open(url)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await app?.close();
  });

  beforeEach(async () => {
    await app.get(CacheService).clear();
    state.loads = 0;
    state.stock.set('a', 3);
  });

  it('caches a message handler per body, shared by every connection', async () => {
    expect(await one.ask('stock', { sku: 'a' })).toEqual({ sku: 'a', count: 3 });
    expect(await two.ask('stock', { sku: 'a' })).toEqual({ sku: 'a', count: 3 });
    expect(await one.ask('stock', { sku: 'b' })).toEqual({ sku: 'b', count: 0 });
    expect(state.loads).toBe(2);
  });

  it('caches a handler without param decorators by its data, not its socket', async () => {
    expect(await one.ask('stock.raw', { sku: 'a' })).toBe(3);
    expect(await two.ask('stock.raw', { sku: 'a' })).toBe(3);
    expect(state.loads).toBe(1);
  });

  it('a message evicts by tag', async () => {
    await one.ask('stock', { sku: 'a' });
    expect(await two.ask('restock', { sku: 'a', count: 9 }, 'restocked')).toBe(true);
    expect(await one.ask('stock', { sku: 'a' })).toEqual({ sku: 'a', count: 9 });
    expect(state.loads).toBe(2);
  });
});
