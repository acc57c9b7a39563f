/**
 * What the explorer checks at start-up about controllers: a `@Cacheable` on a route that is not
 * GET/HEAD would silently cache nothing, so it is named (Class.method) in one warning.
 */
import { All, Controller, Get, Head, Logger, Post, Put, type INestApplication } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import request from 'supertest';
import { Cacheable, CacheEvict, CacheModule } from '../../../src';

@Controller('orders')
class OrdersController {
  runs = 0;

  @Post()
  @Cacheable({ ttl: 60 })
  create() {
    return { run: ++this.runs };
  }

  @Put(':id')
  @Cacheable()
  replace() {
    return { run: ++this.runs };
  }

  @Get()
  @Cacheable({ ttl: 60 })
  list() {
    return { run: ++this.runs };
  }

  @Head('probe')
  @Cacheable()
  probe() {
    return undefined;
  }

  @All('any')
  @Cacheable()
  any() {
    return { run: ++this.runs };
  }

  @Post('reset')
  @CacheEvict({ allEntries: true })
  reset() {
    return { ok: true };
  }

  @MessagePattern('orders.count')
  @Cacheable()
  count() {
    return this.runs;
  }
}

describe('CacheableExplorer', () => {
  let app: INestApplication;
  let warnings: string[];
  let warn: ReturnType<typeof jest.spyOn>;

  beforeEach(async () => {
    warnings = [];
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => {
      warnings.push(String(m));
    });
    const moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot({})],
      controllers: [OrdersController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterEach(async () => {
    warn.mockRestore();
    await app.close();
  });

  it('warns once at start-up for each @Cacheable on a route that is not GET/HEAD, naming Class.method', async () => {
    const verbs = warnings.filter((m) => m.includes('@Cacheable caches GET and HEAD responses only'));
    expect(verbs).toEqual([
      expect.stringMatching(/^OrdersController\.create is a POST route: @Cacheable .* does nothing here/),
      expect.stringMatching(/^OrdersController\.replace is a PUT route: /),
    ]);
    // Requests do not repeat it, and the POST route indeed runs every time.
    const http = () => request(app.getHttpServer());
    expect((await http().post('/orders').expect(201)).body).toEqual({ run: 1 });
    expect((await http().post('/orders').expect(201)).body).toEqual({ run: 2 });
    expect(warnings.filter((m) => m.includes('@Cacheable caches GET')).length).toBe(2);
  });

  it('says nothing for GET, HEAD, @All, non-HTTP handlers or other decorators on writes', async () => {
    for (const method of ['list', 'probe', 'any', 'reset', 'count']) {
      expect(warnings.some((m) => m.startsWith(`OrdersController.${method} `))).toBe(false);
    }
    const http = () => request(app.getHttpServer());
    await http().get('/orders').expect(200);
    const hit = await http().get('/orders').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
  });
});
