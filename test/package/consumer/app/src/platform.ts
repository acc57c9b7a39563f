import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

/** Express, the default platform (the Fastify variant replaces this file with `platform.fastify.ts`). */
export function createApp(): Promise<INestApplication> {
  return NestFactory.create(AppModule, { logger: ['error', 'warn'] });
}
