import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Injectable, Module, Param, Post, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Cacheable, CacheModule, CachePut, CacheService } from '../../../src';
import { bootHttpApp, type Platform } from '../../fixtures/decorators/http.fixture';

/** Counts runs of the GET handler. */
@Injectable()
class Runs {
  get = 0;
}

/** A provider method caching under the key a route reads. */
@Injectable()
class PostsService {
  @Cacheable({ key: 'post:{0}' })
  async find(id: string): Promise<{ id: string; title: string }> {
    return { id, title: 'from the service' };
  }
}

@Controller('posts')
class PostsController {
  constructor(private readonly runs: Runs) {}

  @Post(':id')
  @CachePut({ key: 'post:{params.id}' })
  save(@Param('id') id: string, @Body() body: { title: string }): { id: string; title: string } {
    return { id, title: body.title };
  }

  @Get(':id')
  @Cacheable({ key: 'post:{params.id}' })
  find(@Param('id') id: string): { id: string; title: string } {
    this.runs.get++;
    return { id, title: 'from the handler' };
  }
}

function appModule(store: 'memory' | 'redis') {
  @Module({
    imports: [
      CacheModule.forRoot({
        prefix: `http-put-${randomUUID()}`,
        default: store,
        stores: { memory: { driver: 'memory' }, redis: { driver: 'redis', url: 'redis://127.0.0.1:6379' } },
      }),
    ],
    controllers: [PostsController],
    providers: [Runs, PostsService],
  })
  class PutAppModule {}
  return PutAppModule;
}

describe.each<[Platform, 'memory' | 'redis']>([
  ['express', 'memory'],
  ['express', 'redis'],
  ['fastify', 'memory'],
  ['fastify', 'redis'],
])('a value stored under a route key by @CachePut or a provider (%s, %s store)', (platform, store) => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeEach(async () => {
    app = await bootHttpApp(platform, appModule(store));
  });
  afterEach(async () => {
    await app.get(CacheService).store('redis').clear();
    await app.close();
  });

  it('a @CachePut on a POST route is what the @Cacheable GET with that key answers', async () => {
    await http().post('/posts/5').send({ title: 'put' }).expect(201);
    const first = await http().get('/posts/5').expect(200);
    expect(first.body).toEqual({ id: '5', title: 'put' });
    expect(first.headers['x-cache']).toBe('HIT');
    expect(first.headers['content-type']).toMatch(/application\/json/);
    const second = await http().get('/posts/5').expect(200);
    expect(second.body).toEqual({ id: '5', title: 'put' });
    expect(second.headers.etag).toBe(first.headers.etag);
    await http()
      .get('/posts/5')
      .set('If-None-Match', first.headers.etag as string)
      .expect(304);
    expect(app.get(Runs).get).toBe(0);
  });

  it("a provider method's value under the route's key is answered as the body, never a 500", async () => {
    await app.get(PostsService).find('7');
    const res = await http().get('/posts/7').expect(200);
    expect(res.body).toEqual({ id: '7', title: 'from the service' });
    expect(app.get(Runs).get).toBe(0);
  });

  it('a route still stores and replays its own response', async () => {
    const miss = await http().get('/posts/9').expect(200);
    expect(miss.headers['x-cache']).toBe('MISS');
    const hit = await http().get('/posts/9').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body).toEqual({ id: '9', title: 'from the handler' });
    expect(app.get(Runs).get).toBe(1);
  });
});
