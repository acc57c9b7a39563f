// The Nest app of the http group, run in its own process by http.mjs, once per platform:
//   node -r @swc-node/register bench/groups/http-app.ts express|fastify [srcDir]
// srcDir (default: this repository's src/) lets bench/lib/_http-cpu.mjs compare two versions.
// Three routes on one app return the same ~1 KB JSON: a constant, one cached by
// @nestjs/cache-manager's CacheInterceptor, one cached by our @Cacheable. The cold-miss routes
// count handler runs (a 50 ms handler, so concurrent requests overlap the miss). Next to it, in
// the same process, the bare framework (no Nest) sends the same bytes from a string built once:
// the ceiling any Nest route on that framework can reach.
import 'reflect-metadata';
import { CacheInterceptor, CacheModule as NestCacheModule, CacheTTL } from '@nestjs/cache-manager';
import { Controller, Get, Module, Query, UseInterceptors, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import Fastify from 'fastify';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type * as Kit from '../../src';
import { object1kb } from '../lib/payloads.mjs';

const platform = process.argv[2] === 'fastify' ? 'fastify' : 'express';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Cacheable, CacheModule } = require(process.argv[3] ?? resolve(__dirname, '../../src')) as typeof Kit;

// Express as @nestjs/platform-express installs it (it ships no types of its own).
interface ExpressResponse {
  set(name: string, value: string): ExpressResponse;
  send(body: string): unknown;
}
interface ExpressApp {
  get(path: string, handler: (req: unknown, res: ExpressResponse) => void): unknown;
  listen(port: number, host: string, ready: () => void): Server;
}
const express = createRequire(require.resolve('@nestjs/platform-express'))('express') as () => ExpressApp;

// The payload every bench uses (http.mjs checks each route answers exactly this).
const payload = object1kb(1);
const text = JSON.stringify(payload);
const JSON_TYPE = 'application/json; charset=utf-8';
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

/** The bare framework on its own port: `GET /raw` sends `text` as JSON. */
async function rawServer(): Promise<{ port: number; close(): Promise<unknown> }> {
  if (platform === 'fastify') {
    const app = Fastify();
    app.get('/raw', (_req, reply) => {
      void reply.header('content-type', JSON_TYPE).send(text);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  }
  const app = express();
  app.get('/raw', (_req, res) => {
    res.set('Content-Type', JSON_TYPE).send(text);
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((r) => server.close(r)),
  };
}

async function main(): Promise<void> {
  const logger = ['error', 'warn'] as const;
  const app: INestApplication =
    platform === 'fastify'
      ? await NestFactory.create(BenchAppModule, new FastifyAdapter(), { logger: [...logger] })
      : await NestFactory.create(BenchAppModule, { logger: [...logger] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const raw = await rawServer();
  process.send?.({ port, rawPort: raw.port });
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (m === 'close') void Promise.all([app.close(), raw.close()]).then(() => process.exit(0));
  });
}

void main();
