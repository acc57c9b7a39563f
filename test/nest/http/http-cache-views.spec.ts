/**
 * Routes whose answer the framework makes from what the handler returns: `@Render` (a view
 * rendered from the locals), `@Redirect` (a redirect to the URL the result may name) and `@Sse`
 * (an event stream). Real Express and Fastify apps over HTTP.
 */
import {
  Controller,
  Get,
  Injectable,
  Module,
  Redirect,
  Render,
  Sse,
  type INestApplication,
  type LoggerService,
} from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interval, map, take } from 'rxjs';
import request from 'supertest';
import { CacheModule, Cacheable } from '../../../src';

@Injectable()
class Runs {
  count = 0;
}

@Controller()
class PagesController {
  constructor(private readonly runs: Runs) {}

  @Get('page')
  @Render('page')
  @Cacheable({ ttl: 60 })
  page() {
    return { name: 'Ada', run: ++this.runs.count };
  }

  @Get('go')
  @Redirect('https://example.test/static', 302)
  @Cacheable({ ttl: 60 })
  go() {
    return { url: `https://example.test/run/${++this.runs.count}` };
  }

  @Sse('events')
  @Cacheable({ ttl: 60 })
  events() {
    const run = ++this.runs.count;
    return interval(5).pipe(
      take(3),
      map((i) => ({ data: { i, run } })),
    );
  }

  @Sse('endless')
  @Cacheable({ ttl: 60 })
  endless() {
    return interval(5).pipe(map((i) => ({ data: { i } })));
  }
}

@Module({ imports: [CacheModule.forRoot()], controllers: [PagesController], providers: [Runs] })
class ViewsModule {}

/** What the view engine makes of the page's locals, on either platform. */
function renderPage(locals: object): string {
  const { name, run } = locals as { name?: unknown; run?: unknown };
  return `<p>Hello ${String(name)} (run ${String(run)})</p>`;
}

/** The app on `platform`, with a view engine; `dispose` removes what booting it created. */
async function boot(
  platform: 'express' | 'fastify',
  logger: LoggerService,
): Promise<{ app: INestApplication; dispose(): void }> {
  const moduleRef = await Test.createTestingModule({ imports: [ViewsModule] }).compile();
  if (platform === 'express') {
    const views = mkdtempSync(join(tmpdir(), 'cachekit-views-'));
    writeFileSync(join(views, 'page.txt'), 'unused: the engine below renders from the locals');
    const express = moduleRef.createNestApplication<NestExpressApplication>({ logger });
    express.engine('txt', (_file: string, locals: object, done: (err: unknown, html?: string) => void) =>
      done(null, renderPage(locals)),
    );
    express.setBaseViewsDir(views);
    express.setViewEngine('txt');
    return { app: await express.init(), dispose: () => rmSync(views, { recursive: true, force: true }) };
  }
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger });
  // Nest's `@Render` calls `reply.view(template, locals)`, which @fastify/view adds; that plugin
  // is not installed here, so a reply decorator of the same shape renders the page.
  const fastify = app.getHttpAdapter().getInstance() as {
    decorateReply(name: string, fn: unknown): void;
    ready(): Promise<unknown>;
  };
  fastify.decorateReply(
    'view',
    function (this: { type(t: string): { send(b: string): unknown } }, _page: string, locals: object) {
      return this.type('text/html; charset=utf-8').send(renderPage(locals));
    },
  );
  await app.init();
  await fastify.ready();
  return { app, dispose: () => undefined };
}

describe.each(['express', 'fastify'] as const)(
  'HTTP cache on routes the framework answers from the result (%s)',
  (platform) => {
    let app: INestApplication;
    let dispose: () => void;
    const warnings: string[] = [];
    const logger: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (m) => void warnings.push(String(m)),
    };
    const http = () => request(app.getHttpServer());

    beforeEach(async () => {
      warnings.length = 0;
      ({ app, dispose } = await boot(platform, logger));
    });
    afterEach(async () => {
      await app.close();
      dispose();
    });

    it('@Render: caches the locals and renders the view on every response, hit or miss', async () => {
      const first = await http().get('/page').expect(200);
      expect(first.headers['content-type']).toMatch(/^text\/html/);
      expect(first.text).toBe('<p>Hello Ada (run 1)</p>');
      expect(first.headers['x-cache']).toBe('MISS');
      for (let i = 0; i < 2; i++) {
        const hit = await http().get('/page').expect(200);
        expect(hit.headers['content-type']).toMatch(/^text\/html/);
        expect(hit.headers['x-cache']).toBe('HIT');
        expect(hit.text).toBe('<p>Hello Ada (run 1)</p>');
      }
      expect(app.get(Runs).count).toBe(1);
    });

    it('@Render: the ETag is the framework’s own, from the rendered page (none on Fastify)', async () => {
      const first = await http().get('/page').expect(200);
      const hit = await http().get('/page').expect(200);
      expect(hit.headers['x-cache']).toBe('HIT');
      if (platform === 'fastify') {
        // Fastify sets no ETag of its own (a plugin such as @fastify/etag would), nor does the cache here.
        expect([first.headers.etag, hit.headers.etag]).toEqual([undefined, undefined]);
        return;
      }
      expect(hit.headers.etag).toBeDefined();
      expect(hit.headers.etag).toBe(first.headers.etag);
      await http().get('/page').set('If-None-Match', String(hit.headers.etag)).expect(304);
      expect(app.get(Runs).count).toBe(1);
    });

    it('@Redirect: caches the result and redirects to the URL it names on every response', async () => {
      for (const expected of ['MISS', 'HIT', 'HIT']) {
        const res = await http().get('/go').expect(302);
        expect(res.headers.location).toBe('https://example.test/run/1');
        expect(res.headers['x-cache']).toBe(expected);
        expect(res.headers.etag).toBeUndefined();
      }
      expect(app.get(Runs).count).toBe(1);
    });

    it('@Sse: every request streams every event, uncached, with one warning naming the handler', async () => {
      const one = await http().get('/events').buffer(true).expect(200);
      const two = await http().get('/events').buffer(true).expect(200);
      expect(one.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(one.headers['x-cache']).toBeUndefined();
      const events = (text: string) => text.match(/^data: .*$/gm);
      expect(events(one.text)).toEqual(['data: {"i":0,"run":1}', 'data: {"i":1,"run":1}', 'data: {"i":2,"run":1}']);
      expect(events(two.text)).toEqual(['data: {"i":0,"run":2}', 'data: {"i":1,"run":2}', 'data: {"i":2,"run":2}']);
      const sse = warnings.filter((w) => w.includes('PagesController.events'));
      expect(sse).toEqual([
        'PagesController.events streams server-sent events (@Sse()): cache decorators do not apply to it',
      ]);
    });

    it('@Sse: an endless stream starts sending at once (nothing waits for it to end)', async () => {
      const server = app.getHttpServer() as import('node:http').Server;
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as import('node:net').AddressInfo;
      const controller = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/endless`, { signal: controller.signal });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('data: {"i":1}')) text += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      await reader.cancel().catch(() => undefined);
      expect(text).toContain('data: {"i":0}');
    });
  },
);
