import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CacheHealthIndicator } from 'nestjs-cachekit/health';
import { HealthController } from './health.controller.js';

/** `GET /health` through Terminus and the `nestjs-cachekit/health` subpath export. */
@Module({ imports: [TerminusModule], controllers: [HealthController], providers: [CacheHealthIndicator] })
export class HealthModule {}
