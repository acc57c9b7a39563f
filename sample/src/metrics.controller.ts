import { Controller, Get, Header, Inject, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CacheManager } from 'nestjs-cachekit';
import { registerCacheMetrics } from 'nestjs-cachekit/prometheus';
import { collectDefaultMetrics, Registry } from 'prom-client';

const registry = new Registry();

/** Prometheus scrape endpoint: the cache metrics and Node's default ones. */
@Controller('metrics')
export class MetricsController implements OnModuleInit, OnModuleDestroy {
  private unregister?: () => void;

  constructor(@Inject(CacheManager) private readonly manager: CacheManager) {}

  onModuleInit(): void {
    if (!registry.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics({ register: registry });
    this.unregister = registerCacheMetrics(this.manager, registry);
  }

  onModuleDestroy(): void {
    this.unregister?.();
  }

  @Get()
  @Header('Content-Type', registry.contentType)
  metrics(): Promise<string> {
    return registry.metrics();
  }
}
