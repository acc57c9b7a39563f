import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { CacheService } from 'nestjs-cachekit';
import { CacheHealthIndicator } from 'nestjs-cachekit/health';

/** Operations endpoints: Terminus health of every cache store, and cache counters. */
@Controller()
export class OpsController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(CacheHealthIndicator) private readonly cacheHealth: CacheHealthIndicator,
    @Inject(CacheService) private readonly cache: CacheService,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.cacheHealth.isHealthy('cache', { timeout: 1000 })]);
  }

  @Get('cache/stats')
  stats() {
    return this.cache.stats();
  }
}
