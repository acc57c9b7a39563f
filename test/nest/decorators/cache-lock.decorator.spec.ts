import { Controller, Get, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CacheArgumentError, CacheLock, CacheLockTimeoutError, CacheModule, type CacheLockOptions } from '../../../src';
import { nestWarningsDuring } from '../../support/nest-warnings';
import { RedisServer } from '../../support/redis-server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

@Injectable()
class ReportService {
  running = 0;
  highest = 0;
  runs = 0;

  @CacheLock('reports:daily', { ttl: '5s' })
  async build(ms: number) {
    return this.track(ms);
  }

  @CacheLock((tenant: string) => `import:${tenant}`, { wait: '5s' })
  async importTenant(tenant: string, ms: number) {
    await this.track(ms);
    return tenant;
  }

  @CacheLock('sync:{0}', { wait: '5s', store: 'redis' })
  async shared(_id: string, ms: number) {
    return this.track(ms);
  }

  private async track(ms: number) {
    this.highest = Math.max(this.highest, ++this.running);
    this.runs++;
    await sleep(ms);
    this.running--;
    return this.runs;
  }
}

@Controller()
class JobsController {
  constructor(private readonly reports: ReportService) {}

  @Get('job')
  @CacheLock('route-job', { ttl: '5s' })
  async job() {
    await sleep(150);
    return { done: true };
  }
}

let redis: RedisServer;
beforeAll(async () => (redis = await RedisServer.start()));
afterAll(() => redis?.stop());

async function boot(): Promise<INestApplication> {
  @Module({
    imports: [
      CacheModule.forRoot({
        prefix: 'cache-lock-decorator',
        stores: { memory: { driver: 'memory' }, redis: { driver: 'redis', url: redis.url } },
      }),
    ],
    providers: [ReportService],
    controllers: [JobsController],
  })
  class LockAppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [LockAppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('@CacheLock', () => {
  let app: INestApplication;
  beforeEach(async () => (app = await boot()));
  afterEach(() => app.close());

  it('without wait: a call that finds the lock held rejects at once with CacheLockTimeoutError', async () => {
    const reports = app.get(ReportService);
    const first = reports.build(200);
    await sleep(20);
    await expect(reports.build(0)).rejects.toBeInstanceOf(CacheLockTimeoutError);
    expect(await first).toBe(1);
    expect(await reports.build(0)).toBe(2); // released after the first run
  });

  it('with wait: calls for one name run one after another; other names run at once', async () => {
    const reports = app.get(ReportService);
    const results = await Promise.all([
      reports.importTenant('a', 50),
      reports.importTenant('a', 50),
      reports.importTenant('a', 50),
    ]);
    expect(results).toEqual(['a', 'a', 'a']);
    expect(reports.highest).toBe(1);
    reports.highest = 0;
    await Promise.all([reports.importTenant('x', 80), reports.importTenant('y', 80)]);
    expect(reports.highest).toBe(2);
  });

  it('two app instances on one Redis never run the method at once', async () => {
    const other = await boot();
    try {
      const [a, b] = [app.get(ReportService), other.get(ReportService)];
      await Promise.all([a.shared('1', 60), b.shared('1', 60), a.shared('1', 60), b.shared('1', 60)]);
      expect(Math.max(a.highest, b.highest)).toBe(1);
      expect(a.runs + b.runs).toBe(4);
    } finally {
      await other.close();
    }
  });

  it('on a controller route the handler runs holding the lock', async () => {
    const server = app.getHttpServer();
    const [first, second] = await Promise.all([
      request(server).get('/job'),
      sleep(30).then(() => request(server).get('/job')),
    ]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(500); // CacheLockTimeoutError reaches Nest's exception filter
  });

  it('a missing name or bad option is a typed error at decoration time, naming Class.method', () => {
    expect(() => CacheLock('' as never)).toThrow(CacheArgumentError);
    const define = (options: CacheLockOptions) => () => {
      class Jobs {
        @CacheLock('x', options)
        async nightly(): Promise<void> {}
      }
      return Jobs;
    };
    expect(define({ ttl: 'soon' })).toThrow(CacheArgumentError);
    expect(define({ ttl: 'soon' })).toThrow('Invalid ttl of @CacheLock on Jobs.nightly: "soon"');
    expect(define({ wait: -1 })).toThrow('Invalid wait of @CacheLock on Jobs.nightly: -1');
    expect(define({ wait: 0 })).not.toThrow();
  });

  it('a ttl or wait that looks like milliseconds warns once each, naming Class.method', () => {
    const warnings = nestWarningsDuring(() => {
      class Jobs {
        @CacheLock('nightly', { ttl: 60_000, wait: 120_000 })
        async nightly(): Promise<void> {}

        @CacheLock('hourly', { ttl: 60, wait: 0 })
        async hourly(): Promise<void> {}
      }
      void Jobs;
    });
    expect(warnings).toEqual([
      "@CacheLock ttl of Jobs.nightly: 60000 is read as seconds (16.7 hours). If you meant 60000 ms, write '1m' (a duration string).",
      "@CacheLock wait of Jobs.nightly: 120000 is read as seconds (33.3 hours). If you meant 120000 ms, write '2m' (a duration string).",
    ]);
  });
});
