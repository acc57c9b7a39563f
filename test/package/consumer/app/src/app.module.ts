import { Module } from '@nestjs/common';
import { CacheModule } from 'nestjs-cachekit';
import { HealthModule } from './health/health.module.js';
import { ProductsController } from './products.controller.js';
import { ProductsService } from './products.service.js';

/** The smallest app a user would write: one global cache module, one cached service. */
@Module({
  imports: [
    CacheModule.forRoot({
      isGlobal: true,
      prefix: 'compat',
      ttl: '5m',
      stores: { memory: { driver: 'memory', maxEntries: 1_000 } },
    }),
    HealthModule,
  ],
  controllers: [ProductsController],
  providers: [ProductsService],
})
export class AppModule {}
